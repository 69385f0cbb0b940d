package io.baton.gateway.inference;

import io.baton.gateway.GatewayException;
import java.util.Map;

/**
 * Inference refused a request on purpose (an unknown model, an invalid segment, a full store):
 * the gateway answers with the same status, type and detail.
 */
public final class InferenceRejectedException extends GatewayException {

    private static final long serialVersionUID = 1L;

    private final String type;
    private final int status;
    private final Map<String, Object> properties;

    public InferenceRejectedException(int status, String type, String message, Map<String, Object> properties) {
        super(message);
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
