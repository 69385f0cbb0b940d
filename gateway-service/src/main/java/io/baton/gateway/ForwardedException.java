package io.baton.gateway;

import java.util.Map;

/**
 * A problem another service reported (inference, memory), passed on to the client with that
 * service's status, type, detail and extra members.
 */
public abstract class ForwardedException extends GatewayException {

    private static final long serialVersionUID = 1L;

    private final String type;
    private final int status;
    private final Map<String, Object> properties;

    protected ForwardedException(int status, String type, String message, Map<String, Object> properties,
                                 Throwable cause) {
        super(message, cause);
        this.status = status;
        this.type = type;
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
