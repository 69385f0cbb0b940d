package io.baton.gateway.access;

import org.springframework.web.server.ServerWebExchange;

/**
 * The tenant of a request, as {@link ApiKeyFilter} resolved it: the one place controllers get it
 * from ({@code Tenants.of(exchange)}; a handler method takes a {@link ServerWebExchange}
 * parameter for it).
 */
public final class Tenants {

    /** The exchange attribute holding the tenant (a {@code String}). */
    public static final String ATTRIBUTE = "io.baton.gateway.tenant";

    private Tenants() {
    }

    /**
     * The request's tenant.
     *
     * @throws IllegalStateException when the access filter did not run for this request (a route
     *                               outside {@code /v1/}, or a wiring mistake): never a default
     */
    public static String of(ServerWebExchange exchange) {
        Object tenant = exchange.getAttribute(ATTRIBUTE);
        if (tenant instanceof String name) {
            return name;
        }
        throw new IllegalStateException("no tenant for " + exchange.getRequest().getPath().value()
                + ": the API key filter did not run for it (only /v1/** has a tenant)");
    }
}
