package io.baton.gateway;

import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * The one place that decides a request's tenant: the exchange attribute {@link #ATTRIBUTE} when
 * an earlier filter set it (the API-key filter maps {@code X-API-Key} to a tenant and puts it
 * there), otherwise the configured default tenant ({@code baton.pipeline.tenant}). Never a header
 * a client sends: a tenant is something the gateway grants, not something a request claims.
 */
@Component
public final class RequestTenant {

    /** The exchange attribute holding the tenant an authenticating filter granted. */
    public static final String ATTRIBUTE = "io.baton.gateway.tenant";

    private final String defaultTenant;

    public RequestTenant(GatewayProperties properties) {
        this.defaultTenant = properties.pipeline().tenant();
    }

    /** The tenant of {@code exchange}'s request. */
    public String of(ServerWebExchange exchange) {
        return exchange.getAttribute(ATTRIBUTE) instanceof String tenant && !tenant.isBlank() ? tenant : defaultTenant;
    }

    /** The tenant of requests no filter assigned one to (standalone mode without keys, the CLI). */
    public String defaultTenant() {
        return defaultTenant;
    }
}
