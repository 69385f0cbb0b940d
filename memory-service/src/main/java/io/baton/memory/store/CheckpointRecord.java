package io.baton.memory.store;

import java.util.Objects;

/**
 * A checkpoint to store: its segment index and the metadata the store indexes, and the bytes to
 * keep ({@code stored}: the container as written, or its compressed / downcast encoding).
 *
 * @param segment     the segment index n; accepted only if the head is n-1 (or absent and n = 0)
 * @param tokens      tokens consumed up to and including segment n
 * @param model       model id
 * @param modelDigest SHA-256 of the model file
 * @param bytes       size of the container as the client sent it
 * @param stored      the bytes to keep; compared byte for byte for idempotent repeats
 */
public record CheckpointRecord(long segment, long tokens, String model, String modelDigest,
                               long bytes, byte[] stored) {

    public CheckpointRecord {
        if (segment < 0 || tokens < 0 || bytes < 0) {
            throw new IllegalArgumentException("segment, tokens and bytes must not be negative");
        }
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(modelDigest, "modelDigest");
        Objects.requireNonNull(stored, "stored");
    }
}
