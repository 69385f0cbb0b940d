package io.baton.gateway.inference;

import io.baton.gateway.GatewayException;

/** The inference service could not be reached, or kept failing, after the bounded retries (503). */
public final class InferenceUnavailableException extends GatewayException {

    private static final long serialVersionUID = 1L;

    public InferenceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String type() {
        return "inference-unavailable";
    }

    @Override
    public int status() {
        return 503;
    }
}
