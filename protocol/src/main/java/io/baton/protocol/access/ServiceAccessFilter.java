package io.baton.protocol.access;

import io.baton.protocol.problems.ProblemAdvice;
import java.security.cert.X509Certificate;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.core.ResolvableType;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.codec.HttpMessageWriter;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.SslInfo;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Asks every request to {@code /v1} and everything under it for a credential the service's
 * {@link ServiceAccess} accepts: the service token in {@code Authorization: Bearer}, or a client
 * certificate its TLS verified. Without one the request ends here, before any controller reads
 * its {@code X-Baton-Tenant}, with a 401 problem detail ({@code missing-credentials} or {@code
 * invalid-credentials}, type and status from the catalogue, written by the same JSON codec and
 * advice the controllers' problems go through) and a {@code WWW-Authenticate: Bearer} challenge.
 * Other paths ({@code /actuator/health} for probes) pass untouched.
 */
public final class ServiceAccessFilter implements WebFilter, Ordered {

    /** Runs before the other filters, so nothing works on a request it refuses. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

    private static final ResolvableType PROBLEM = ResolvableType.forClass(ProblemDetail.class);

    private final ServiceAccess access;
    private final HttpMessageWriter<ProblemDetail> problemWriter;
    private final ProblemAdvice problems;

    public ServiceAccessFilter(ServiceAccess access, ServerCodecConfigurer codecs, ProblemAdvice problems) {
        this.access = access;
        this.problemWriter = problemWriter(codecs);
        this.problems = problems;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        if (access.open() || !isApi(request.getPath().pathWithinApplication().value())) {
            return chain.filter(exchange);
        }
        try {
            access.authenticate(request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION), certified(request));
        } catch (CredentialsException e) {
            return refuse(exchange, e);
        }
        return chain.filter(exchange);
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    /** {@code /v1} and everything under it. */
    static boolean isApi(String path) {
        return path.equals("/v1") || path.startsWith("/v1/");
    }

    /** Whether the request came over TLS with a client certificate (the handshake verified it). */
    static boolean certified(ServerHttpRequest request) {
        SslInfo ssl = request.getSslInfo();
        X509Certificate[] certificates = ssl == null ? null : ssl.getPeerCertificates();
        return certificates != null && certificates.length > 0;
    }

    private Mono<Void> refuse(ServerWebExchange exchange, CredentialsException e) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.valueOf(e.status()));
        response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, e.challenge());
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
