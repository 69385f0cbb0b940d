package io.baton.gateway.jobs.store.redis;

import io.baton.gateway.GatewayException;
import io.baton.protocol.problems.ProblemType;

/**
 * Redis could not be reached or failed a command (503 {@code job-store-unavailable}, retryable): the
 * job store lives next to the state store. An operation that failed this way may or may not have
 * been applied; every change is one script, so it was applied whole or not at all.
 */
public final class JobStoreUnavailableException extends GatewayException {

    private static final long serialVersionUID = 1L;

    public JobStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ProblemType type() {
        return ProblemType.JOB_STORE_UNAVAILABLE;
    }
}
