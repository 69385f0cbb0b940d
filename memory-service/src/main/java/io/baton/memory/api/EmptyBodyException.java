package io.baton.memory.api;

import io.baton.memory.MemoryException;

/** A checkpoint upload with no bytes (HTTP 400). */
public final class EmptyBodyException extends MemoryException {

    private static final long serialVersionUID = 1L;

    public EmptyBodyException(String message) {
        super(message);
    }

    @Override
    public String type() {
        return "empty-body";
    }

    @Override
    public int status() {
        return 400;
    }
}
