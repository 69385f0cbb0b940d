package io.baton.memory;

import io.baton.protocol.problems.BatonException;

/**
 * Root of the failures the memory service reports on purpose. Each subclass is one kind of
 * failure with its {@link #type()} in the catalogue (which fixes the HTTP status); the web layer
 * maps them once to RFC 9457 problem details.
 */
public abstract class MemoryException extends BatonException {

    private static final long serialVersionUID = 1L;

    protected MemoryException(String message) {
        super(message);
    }

    protected MemoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
