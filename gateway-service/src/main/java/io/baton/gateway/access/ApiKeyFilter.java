package io.baton.gateway.access;

import io.baton.gateway.problems.ProblemDetailsAdvice;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.core.ResolvableType;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.codec.HttpMessageWriter;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.http.server.reactive.ServerHttpResponse;
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

    private static final ResolvableType PROBLEM = ResolvableType.forClass(ProblemDetail.class);

    private final AccessPolicy policy;
    private final HttpMessageWriter<ProblemDetail> problemWriter;
    private final ProblemDetailsAdvice problems;

    public ApiKeyFilter(AccessPolicy policy, ServerCodecConfigurer codecs, ProblemDetailsAdvice problems) {
        this.problems = problems;
        this.policy = policy;
        this.problemWriter = problemWriter(codecs);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!isApi(exchange.getRequest().getPath().pathWithinApplication().value())) {
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

    /** {@code /v1} and everything under it. */
    static boolean isApi(String path) {
        return path.equals("/v1") || path.startsWith("/v1/");
    }

    private Mono<Void> refuse(ServerWebExchange exchange, ApiKeyException e) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.valueOf(e.status()));
        response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, CHALLENGE);
        ProblemDetail problem = problems.problemOf(e, exchange);
        return problemWriter.write(Mono.just(problem), PROBLEM, MediaType.APPLICATION_PROBLEM_JSON, response, Map.of());
    }

    /** The same JSON writer controllers' problem details go through. */
    @SuppressWarnings("unchecked")
    private static HttpMessageWriter<ProblemDetail> problemWriter(ServerCodecConfigurer codecs) {
        return codecs.getWriters().stream()
                .filter(writer -> writer.canWrite(PROBLEM, MediaType.APPLICATION_PROBLEM_JSON))
                .map(writer -> (HttpMessageWriter<ProblemDetail>) writer)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no codec writes application/problem+json"));
    }
}
