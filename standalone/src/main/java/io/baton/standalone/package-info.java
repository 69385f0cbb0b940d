/**
 * Standalone mode: the gateway, inference and memory code in one JVM, wired in-process instead
 * of over HTTP, with the in-memory state store unless {@code BATON_REDIS_URL} is given. This is
 * what {@code ./baton} runs. It lives outside {@code io.baton.gateway} so that the distributed
 * gateway application never picks it up.
 */
package io.baton.standalone;
