package io.baton.gateway.documents;

import io.baton.gateway.ForwardedException;
import java.util.Map;

/**
 * The memory service failed a call of the documents API: unreachable or its breaker open (503
 * {@code memory-unavailable}), or it refused the call (502 {@code memory-rejected}, a bug between
 * the two). The type and status are the memory client's.
 */
public final class MemoryException extends ForwardedException {

    private static final long serialVersionUID = 1L;

    public MemoryException(String type, int status, String message, Map<String, Object> properties, Throwable cause) {
        super(status, type, message, properties, cause);
    }
}
