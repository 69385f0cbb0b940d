package io.baton.protocol.memory;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The digest that names a stored checkpoint ({@code X-Baton-Checkpoint-Digest}, {@code
 * X-Baton-Parent-Digest}): hex SHA-256 of the bytes the memory service stores. Where it stores a
 * checkpoint as sent (no compression, no downcast), that is the digest of the bytes the writer sent,
 * which a writer putting ahead names before the answer.
 */
public final class CheckpointDigest {

    private CheckpointDigest() {
    }

    /** Hex SHA-256 of {@code stored}. */
    public static String of(byte[] stored) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(stored));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
