package io.baton.protocol.access;

import io.baton.protocol.problems.FilterProblems;
import io.baton.protocol.problems.ProblemAdvice;
import java.security.cert.X509Certificate;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.http.server.reactive.ServerHttpRequest;
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

    private final ServiceAccess access;
    private final FilterProblems problems;

    public ServiceAccessFilter(ServiceAccess access, ServerCodecConfigurer codecs, ProblemAdvice advice) {
        this.access = access;
        this.problems = new FilterProblems(codecs, advice);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        if (access.open() || !ApiPaths.isApi(request.getPath())) {
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

    /** Whether the request came over TLS with a client certificate (the handshake verified it). */
    static boolean certified(ServerHttpRequest request) {
        SslInfo ssl = request.getSslInfo();
        X509Certificate[] certificates = ssl == null ? null : ssl.getPeerCertificates();
        return certificates != null && certificates.length > 0;
    }

    private Mono<Void> refuse(ServerWebExchange exchange, CredentialsException e) {
        return problems.refuse(exchange, e, e.challenge());
    }
}
