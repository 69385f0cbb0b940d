package io.baton.gateway.inference;

import io.baton.gateway.GatewayException;
import java.util.Map;

/**
 * The inference service could not be reached, or kept failing, after the bounded retries (503);
 * or its circuit breaker is open and it was not called at all (the problem then carries {@code
 * circuitBreaker: open}).
 */
public final class InferenceUnavailableException extends GatewayException {

    private static final long serialVersionUID = 1L;

    private final boolean breakerOpen;

    public InferenceUnavailableException(String message, Throwable cause) {
        this(message, false, cause);
    }

    public InferenceUnavailableException(String message, boolean breakerOpen, Throwable cause) {
        super(message, cause);
        this.breakerOpen = breakerOpen;
    }

    /** Whether the call was refused by the open circuit breaker, without trying inference. */
    public boolean breakerOpen() {
        return breakerOpen;
    }

    @Override
    public String type() {
        return "inference-unavailable";
    }

    @Override
    public int status() {
        return 503;
    }

    @Override
    public Map<String, Object> properties() {
        return breakerOpen ? Map.of("circuitBreaker", "open") : Map.of();
    }
}
