/**
 * The memory service's side of the protocol: its records ({@link
 * io.baton.protocol.memory.StoredHead}, {@link io.baton.protocol.memory.Written}, {@link
 * io.baton.protocol.memory.KeptCheckpoint}), the digest that names a checkpoint
 * ({@link io.baton.protocol.memory.CheckpointDigest}), its client
 * ({@link io.baton.protocol.memory.MemoryClient}) and the client's HTTP adapter.
 */
package io.baton.protocol.memory;
