package io.baton.gateway.jobs.queue;

import io.baton.gateway.GatewayException;
import io.baton.protocol.problems.ProblemType;

/** The job queue refused a message (full, or the broker unreachable or not confirming): 503, retry later. */
public final class JobQueueException extends GatewayException {

    private static final long serialVersionUID = 1L;

    public JobQueueException(String message) {
        super(message);
    }

    public JobQueueException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ProblemType type() {
        return ProblemType.SERVICE_BUSY;
    }
}
