package io.baton.memory.checkpoints;

import io.baton.memory.MemoryException;
import io.baton.protocol.problems.ProblemType;

/** A checkpoint upload with no bytes (HTTP 400). */
public final class EmptyBodyException extends MemoryException {

    private static final long serialVersionUID = 1L;

    public EmptyBodyException(String message) {
        super(message);
    }

    @Override
    public ProblemType type() {
        return ProblemType.EMPTY_BODY;
    }
}
