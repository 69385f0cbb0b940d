package io.baton.protocol.memory;

/**
 * A kept checkpoint as read back: its container bytes and the digest of what the memory service
 * stored ({@code X-Baton-Checkpoint-Digest}), the one a put of the next checkpoint names as its
 * parent. The digest is of the stored encoding, so it is not a digest of {@code container} when
 * the service compresses or downcasts.
 */
public record KeptCheckpoint(byte[] container, String digest) {
}
