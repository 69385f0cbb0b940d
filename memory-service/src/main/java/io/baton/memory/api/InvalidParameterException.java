package io.baton.memory.api;

import io.baton.memory.MemoryException;
import io.baton.protocol.problems.ProblemType;

/**
 * A query parameter or header out of its range, e.g. a list {@code limit} below 1, a malformed
 * parent digest (HTTP 400).
 */
public final class InvalidParameterException extends MemoryException {

    private static final long serialVersionUID = 1L;

    public InvalidParameterException(String message) {
        super(message);
    }

    @Override
    public ProblemType type() {
        return ProblemType.INVALID_PARAMETER;
    }
}
