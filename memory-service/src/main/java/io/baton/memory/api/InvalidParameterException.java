package io.baton.memory.api;

import io.baton.memory.MemoryException;

/** A query parameter out of its range, e.g. a list {@code limit} below 1 (HTTP 400). */
public final class InvalidParameterException extends MemoryException {

    private static final long serialVersionUID = 1L;

    public InvalidParameterException(String message) {
        super(message);
    }

    @Override
    public String type() {
        return "invalid-parameter";
    }

    @Override
    public int status() {
        return 400;
    }
}
