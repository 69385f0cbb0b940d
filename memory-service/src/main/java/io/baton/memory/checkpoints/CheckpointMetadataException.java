package io.baton.memory.checkpoints;

import io.baton.memory.MemoryException;

/**
 * A valid container whose {@code baton.*} metadata is missing, malformed or inconsistent with the
 * request (segment, document or tenant other than in the path and header) (HTTP 400).
 */
public final class CheckpointMetadataException extends MemoryException {

    private static final long serialVersionUID = 1L;

    private final String key;

    public CheckpointMetadataException(String key, String message) {
        super(message);
        this.key = key;
    }

    /** The metadata key at fault. */
    public String key() {
        return key;
    }

    @Override
    public String type() {
        return "checkpoint-metadata";
    }

    @Override
    public int status() {
        return 400;
    }
}
