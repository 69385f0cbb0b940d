package io.baton.memory.api;

import io.baton.memory.MemoryException;

/** A request without the {@code X-Baton-Tenant} header (HTTP 400). */
public final class MissingTenantException extends MemoryException {

    private static final long serialVersionUID = 1L;

    public MissingTenantException(String message) {
        super(message);
    }

    @Override
    public String type() {
        return "missing-tenant";
    }

    @Override
    public int status() {
        return 400;
    }
}
