package io.baton.memory.checkpoints;

import io.baton.memory.MemoryException;
import io.baton.protocol.problems.ProblemType;
import java.util.Map;

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
    public ProblemType type() {
        return ProblemType.CHECKPOINT_METADATA;
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of("key", key);
    }
}
