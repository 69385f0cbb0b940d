package io.baton.memory.checkpoints;

import io.baton.memory.MemoryException;
import io.baton.protocol.problems.ProblemType;

/** A segment index in the path that is not a non-negative integer (HTTP 400). */
public final class InvalidSegmentException extends MemoryException {

    private static final long serialVersionUID = 1L;

    public InvalidSegmentException(String message) {
        super(message);
    }

    @Override
    public ProblemType type() {
        return ProblemType.INVALID_SEGMENT;
    }
}
