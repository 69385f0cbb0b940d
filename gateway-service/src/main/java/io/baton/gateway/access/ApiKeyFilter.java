package io.baton.gateway.access;

import io.baton.gateway.problems.ProblemDetailsAdvice;
import io.baton.protocol.access.ApiPaths;
import io.baton.protocol.problems.FilterProblems;
import org.springframework.core.Ordered;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Checks the API key of every request to {@code /v1/**} and records its tenant ({@link
 * Tenants#ATTRIBUTE}). Without a valid key the request ends here with a 401 problem detail
 * ({@code missing-api-key} or {@code invalid-api-key}) and a {@code WWW-Authenticate: ApiKey
 * header="X-API-Key"} challenge. When the {@link AccessPolicy} is open, every request gets the
 * open tenant and a key, if sent, is not looked at. Other paths pass untouched.
 */
public final class ApiKeyFilter implements WebFilter, Ordered {

    /** The request header carrying the key. */
    public static final String HEADER = "X-API-Key";

    /** The {@code WWW-Authenticate} challenge of a 401 (RFC 9110 requires one). */
    public static final String CHALLENGE = "ApiKey header=\"" + HEADER + "\"";

    /** Runs before the other filters, so nothing works on a request it refuses. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

    private final AccessPolicy policy;
    private final FilterProblems problems;

    public ApiKeyFilter(AccessPolicy policy, ServerCodecConfigurer codecs, ProblemDetailsAdvice advice) {
        this.policy = policy;
        this.problems = new FilterProblems(codecs, advice);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!ApiPaths.isApi(exchange.getRequest().getPath())) {
            return chain.filter(exchange);
        }
        if (!policy.requiresKey()) {
            exchange.getAttributes().put(Tenants.ATTRIBUTE, policy.openTenant());
            return chain.filter(exchange);
        }
        String key = exchange.getRequest().getHeaders().getFirst(HEADER);
        if (key == null || key.isBlank()) {
            return refuse(exchange, ApiKeyException.missing());
        }
        return policy.tenantOf(key.strip())
                .map(tenant -> {
                    exchange.getAttributes().put(Tenants.ATTRIBUTE, tenant);
                    return chain.filter(exchange);
                })
                .orElseGet(() -> refuse(exchange, ApiKeyException.invalid()));
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    private Mono<Void> refuse(ServerWebExchange exchange, ApiKeyException e) {
        return problems.refuse(exchange, e, CHALLENGE);
    }
}
