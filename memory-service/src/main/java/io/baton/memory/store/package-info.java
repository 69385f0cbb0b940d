/**
 * Checkpoint storage: the {@link io.baton.memory.store.CheckpointStore} contract (compare-and-set
 * per segment, retention of the last K checkpoints, TTL, per-tenant quota, fork, tenant
 * isolation) and its implementations, in-memory (standalone mode) and Redis.
 * The Redis layout is described in {@code docs/state-store.md}.
 */
package io.baton.memory.store;
