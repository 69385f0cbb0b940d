package io.baton.gateway;

import io.baton.protocol.problems.BatonException;

/**
 * Root of the failures the gateway reports on purpose: each names its {@link #type()} in the
 * catalogue, which fixes the status of the problem detail it becomes ({@code ProblemDetailsAdvice}).
 */
public abstract class GatewayException extends BatonException {

    private static final long serialVersionUID = 1L;

    protected GatewayException(String message) {
        super(message);
    }

    protected GatewayException(String message, Throwable cause) {
        super(message, cause);
    }
}
