package io.baton.memory.store;

import io.baton.protocol.memory.CheckpointDigest;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A checkpoint to store: its segment index and the metadata the store indexes, and the bytes to
 * keep ({@code stored}: the container as written, or its compressed / downcast encoding).
 *
 * @param segment      the segment index n; accepted only if the head is n-1 (or absent and n = 0)
 * @param tokens       tokens consumed up to and including segment n
 * @param model        model id
 * @param modelDigest  SHA-256 of the model file
 * @param bytes        size of the container as the client sent it
 * @param stored       the bytes to keep
 * @param digest       hex SHA-256 of {@code stored}: what identical repeats are recognised by, and
 *                     what a later write names as its parent
 * @param parentDigest when not null, the write is accepted only if the kept checkpoint n-1 has this
 *                     digest (the writer computed n from that exact state; see
 *                     {@link ParentMismatchException}); null: no such condition
 */
public record CheckpointRecord(long segment, long tokens, String model, String modelDigest,
                               long bytes, byte[] stored, String digest, String parentDigest) {

    public CheckpointRecord {
        if (segment < 0 || tokens < 0 || bytes < 0) {
            throw new IllegalArgumentException("segment, tokens and bytes must not be negative");
        }
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(modelDigest, "modelDigest");
        Objects.requireNonNull(stored, "stored");
        Objects.requireNonNull(digest, "digest");
    }

    /** A record of {@code stored} with its digest computed and no condition on the parent. */
    public CheckpointRecord(long segment, long tokens, String model, String modelDigest, long bytes, byte[] stored) {
        this(segment, tokens, model, modelDigest, bytes, stored, digest(stored), null);
    }

    /** The same record, accepted only on top of the kept checkpoint n-1 whose digest is {@code parent}. */
    public CheckpointRecord withParent(String parent) {
        return new CheckpointRecord(segment, tokens, model, modelDigest, bytes, stored, digest, parent);
    }

    /** The digest kept per checkpoint: hex SHA-256 of the stored bytes. */
    public static String digest(byte[] stored) {
        return CheckpointDigest.of(stored);
    }

    /** {@link #digest(byte[])} as US-ASCII bytes, the form Redis scripts receive. */
    public static byte[] digestBytes(byte[] stored) {
        return digest(stored).getBytes(StandardCharsets.US_ASCII);
    }
}
