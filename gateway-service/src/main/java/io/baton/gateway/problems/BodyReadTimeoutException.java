package io.baton.gateway.problems;

import io.baton.gateway.GatewayException;
import io.baton.protocol.problems.ProblemType;

/**
 * The client did not send its whole request body within {@code baton.limits.body-read-timeout}
 * (408 {@code request-timeout}); the server stopped reading it and closes the connection.
 */
public final class BodyReadTimeoutException extends GatewayException {

    private static final long serialVersionUID = 1L;

    public BodyReadTimeoutException(Throwable cause) {
        super("the request body did not arrive in time (baton.limits.body-read-timeout); send it at once", cause);
    }

    @Override
    public ProblemType type() {
        return ProblemType.REQUEST_TIMEOUT;
    }
}
