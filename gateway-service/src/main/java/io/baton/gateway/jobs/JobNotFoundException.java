package io.baton.gateway.jobs;

import io.baton.gateway.GatewayException;
import io.baton.protocol.problems.ProblemType;

/** No job of the tenant has the id, or it expired. */
public final class JobNotFoundException extends GatewayException {

    private static final long serialVersionUID = 1L;

    public JobNotFoundException(String message) {
        super(message);
    }

    @Override
    public ProblemType type() {
        return ProblemType.JOB_NOT_FOUND;
    }
}
