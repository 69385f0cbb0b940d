package io.baton.gateway.admission;

import io.baton.gateway.GatewayException;
import io.baton.protocol.BatonHeaders;
import io.baton.protocol.problems.ProblemType;
import java.util.Map;

/** The tenant already runs as many requests as it may at once (429 {@code tenant-busy}). */
public final class TenantBusyException extends GatewayException {

    private static final long serialVersionUID = 1L;

    /** A slot frees when one of the tenant's requests ends: no sooner than this can be promised. */
    static final long RETRY_AFTER_SECONDS = 1;

    public TenantBusyException(String tenant, int running) {
        super("tenant " + tenant + " runs " + running + " requests at once, as many as it may "
                + "(baton.limits.tenant-concurrency); retry when one of them has ended");
    }

    @Override
    public ProblemType type() {
        return ProblemType.TENANT_BUSY;
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of(BatonHeaders.RETRY_AFTER_MEMBER, RETRY_AFTER_SECONDS);
    }
}
