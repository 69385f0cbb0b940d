package io.baton.gateway.inference;

import io.baton.gateway.ForwardedException;
import java.util.Map;

/**
 * Inference refused a request on purpose (an unknown model, an invalid segment, a full store):
 * the gateway answers with the same status, type and detail.
 */
public final class InferenceRejectedException extends ForwardedException {

    private static final long serialVersionUID = 1L;

    public InferenceRejectedException(int status, String type, String message, Map<String, Object> properties) {
        super(status, type, message, properties, null);
    }
}
