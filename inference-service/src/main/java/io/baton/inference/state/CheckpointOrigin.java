package io.baton.inference.state;

import io.baton.protocol.CheckpointMetadata;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Where a checkpoint n came from: the stored checkpoint n-1 it was computed from (its digest,
 * {@code ""} for n = 0) and the tokens of segment n (their digest), written into its metadata
 * ({@link CheckpointMetadata#PARENT_DIGEST}, {@link CheckpointMetadata#INPUT_DIGEST}). Two
 * checkpoints of the same origin hold the same segment applied to the same state, even when
 * their bytes differ (a recomputation on CUDA need not be bit-exact).
 *
 * @param parentDigest the stored digest of checkpoint n-1; {@code ""} for n = 0; null when the
 *                     memory service did not report it (then the origin proves nothing)
 * @param inputDigest  hex SHA-256 of the segment's token ids, each as 8 bytes little-endian
 */
public record CheckpointOrigin(String parentDigest, String inputDigest) {

    /** The origin of segment {@code tokens} computed from the checkpoint stored with {@code parentDigest}. */
    public static CheckpointOrigin of(String parentDigest, long[] tokens) {
        ByteBuffer bytes = ByteBuffer.allocate(tokens.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(tokens);
        try {
            return new CheckpointOrigin(parentDigest,
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.array())));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** The origin a checkpoint's metadata names; its parts null where it names none. */
    public static CheckpointOrigin of(Map<String, String> metadata) {
        return new CheckpointOrigin(metadata.get(CheckpointMetadata.PARENT_DIGEST),
                metadata.get(CheckpointMetadata.INPUT_DIGEST));
    }

    /** Whether this origin is known in full and is {@code other}'s: the same segment on the same stored state. */
    public boolean provenSameAs(CheckpointOrigin other) {
        return parentDigest != null && inputDigest != null && equals(other);
    }
}
