/**
 * The in-memory checkpoint store of standalone mode: one JVM, no Redis, bounded by stored bytes
 * with least-recently-used documents evicted as a whole; same contract as the Redis store.
 */
package io.baton.memory.store.inmemory;
