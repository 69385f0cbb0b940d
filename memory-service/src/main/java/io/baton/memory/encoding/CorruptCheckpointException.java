package io.baton.memory.encoding;

import io.baton.memory.MemoryException;
import io.baton.protocol.problems.ProblemType;

/**
 * Stored bytes that the service itself wrote no longer decode (a damaged zstd frame, a broken
 * downcast record): a fault of the store, not of the client (HTTP 500).
 */
public final class CorruptCheckpointException extends MemoryException {

    private static final long serialVersionUID = 1L;

    public CorruptCheckpointException(String message) {
        super(message);
    }

    public CorruptCheckpointException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ProblemType type() {
        return ProblemType.CORRUPT_CHECKPOINT;
    }
}
