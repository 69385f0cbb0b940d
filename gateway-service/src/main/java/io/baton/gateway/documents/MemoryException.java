package io.baton.gateway.documents;

import io.baton.gateway.GatewayException;
import java.util.Map;

/**
 * The memory service failed a call of the documents API: unreachable or its breaker open (503
 * {@code memory-unavailable}), or it refused the call (502 {@code memory-rejected}, a bug between
 * the two). The type and status are the memory client's.
 */
public final class MemoryException extends GatewayException {

    private static final long serialVersionUID = 1L;

    private final String type;
    private final int status;
    private final Map<String, Object> properties;

    public MemoryException(String type, int status, String message, Map<String, Object> properties, Throwable cause) {
        super(message, cause);
        this.type = type;
        this.status = status;
        this.properties = Map.copyOf(properties);
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public Map<String, Object> properties() {
        return properties;
    }
}
