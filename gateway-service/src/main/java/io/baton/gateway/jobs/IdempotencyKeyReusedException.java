package io.baton.gateway.jobs;

import io.baton.gateway.GatewayException;
import io.baton.protocol.problems.ProblemType;

/** An Idempotency-Key was used before, for a job with another body (422). */
public final class IdempotencyKeyReusedException extends GatewayException {

    private static final long serialVersionUID = 1L;

    public IdempotencyKeyReusedException(String message) {
        super(message);
    }

    @Override
    public ProblemType type() {
        return ProblemType.IDEMPOTENCY_KEY_REUSED;
    }
}
