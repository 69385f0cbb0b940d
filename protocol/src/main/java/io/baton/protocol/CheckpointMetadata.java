package io.baton.protocol;

/**
 * The {@code __metadata__} keys of a checkpoint (a safetensors state container): written by
 * inference, checked by the memory service. Values are strings, as safetensors requires.
 */
public final class CheckpointMetadata {

    /** The container format version; {@value #FORMAT_VERSION} today. */
    public static final String FORMAT = "baton.format";
    public static final String FORMAT_VERSION = "1";
    public static final String MODEL = "baton.model";
    public static final String MODEL_DIGEST = "baton.model_digest";
    public static final String TENANT = "baton.tenant";
    public static final String DOCUMENT = "baton.document";
    public static final String SEGMENT = "baton.segment";
    public static final String TOKENS = "baton.tokens";
    public static final String RETENTION = "baton.retention";
    /**
     * The digest of the stored checkpoint n-1 this checkpoint was computed from (as the memory
     * service reports it: {@code X-Baton-Checkpoint-Digest}); empty for segment 0. With {@link
     * #INPUT_DIGEST} it tells a writer whose put of n was refused as a conflict whether the stored
     * n is its own earlier attempt at the same segment, whatever bytes that attempt computed.
     */
    public static final String PARENT_DIGEST = "baton.parent_digest";
    /** Hex SHA-256 of the segment's token ids (each as 8 bytes, little-endian) this checkpoint consumed. */
    public static final String INPUT_DIGEST = "baton.input_digest";

    private CheckpointMetadata() {
    }
}
