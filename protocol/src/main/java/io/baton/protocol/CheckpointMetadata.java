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

    private CheckpointMetadata() {
    }
}
