/**
 * The memory-service application: state checkpoints per (tenant, document, segment), kept in Redis with compare-and-set, retention and TTL.
 *
 * <p>Capabilities live in sub-packages, one each.
 */
package io.baton.memory;
