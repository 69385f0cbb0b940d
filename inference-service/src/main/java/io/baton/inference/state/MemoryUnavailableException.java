package io.baton.inference.state;

import io.baton.inference.InferenceException;

/**
 * The memory service cannot be reached, keeps failing, or its circuit breaker is open (HTTP
 * 503). Nothing was stored; the client may retry the same segment later.
 */
public final class MemoryUnavailableException extends InferenceException {

    private static final long serialVersionUID = 1L;

    public MemoryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String type() {
        return "memory-unavailable";
    }

    @Override
    public int status() {
        return 503;
    }
}
