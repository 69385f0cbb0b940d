package io.baton.memory.store;

/** A kept checkpoint: its index, the head of its document when read, and the stored bytes. */
public record StoredCheckpoint(long segment, Head head, byte[] stored) {
}
