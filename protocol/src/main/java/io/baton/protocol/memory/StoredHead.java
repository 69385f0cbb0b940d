package io.baton.protocol.memory;

/** The memory service's head of a document, as far as inference needs it. */
public record StoredHead(long segment, long tokens, String model, String modelDigest, long version) {
}
