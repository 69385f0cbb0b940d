/**
 * The memory service's side of the protocol: its records ({@link
 * io.baton.protocol.memory.StoredHead}, {@link io.baton.protocol.memory.Written}, {@link
 * io.baton.protocol.memory.KeptCheckpoint}), its client
 * ({@link io.baton.protocol.memory.MemoryClient}) and the client's HTTP adapter.
 */
package io.baton.protocol.memory;
