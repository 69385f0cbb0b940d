package io.baton.memory.store;

import io.baton.memory.MemoryException;
import io.baton.protocol.problems.ProblemType;

/** The backing store cannot be reached or failed (HTTP 503); nothing was changed on purpose. */
public final class StoreUnavailableException extends MemoryException {

    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ProblemType type() {
        return ProblemType.STORE_UNAVAILABLE;
    }
}
