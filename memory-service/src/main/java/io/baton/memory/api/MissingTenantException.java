package io.baton.memory.api;

import io.baton.memory.MemoryException;
import io.baton.protocol.problems.ProblemType;

/** A request without the {@code X-Baton-Tenant} header (HTTP 400). */
public final class MissingTenantException extends MemoryException {

    private static final long serialVersionUID = 1L;

    public MissingTenantException(String message) {
        super(message);
    }

    @Override
    public ProblemType type() {
        return ProblemType.MISSING_TENANT;
    }
}
