package io.baton.gateway.pipeline;

import io.baton.gateway.GatewayException;
import io.baton.protocol.BatonHeaders;
import io.baton.protocol.problems.ProblemType;
import java.util.Map;

/**
 * The gateway runs as many documents as it may and cannot queue another one, or the document
 * waited its longest for its turn (503 {@code service-busy}); {@code Retry-After} says when a
 * turn is likely to be free. Without a stack trace: it is flow control, made for every refused
 * request under a flood, and where it was made says nothing (always {@link DocumentGate}).
 */
public final class ServiceBusyException extends GatewayException {

    private static final long serialVersionUID = 1L;

    private final long retryAfterSeconds;

    public ServiceBusyException(String message, long retryAfterSeconds) {
        super(message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }

    @Override
    public ProblemType type() {
        return ProblemType.SERVICE_BUSY;
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of(BatonHeaders.RETRY_AFTER_MEMBER, retryAfterSeconds);
    }
}
