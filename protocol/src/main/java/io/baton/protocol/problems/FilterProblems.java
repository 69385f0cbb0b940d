package io.baton.protocol.problems;

import java.util.Map;
import org.springframework.core.ResolvableType;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.codec.HttpMessageWriter;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Problem responses a web filter writes itself, for a request it refuses before any handler runs
 * (a missing API key at the gateway, a missing service credential at inference and memory):
 * the same problem detail the service's {@link ProblemAdvice} makes, through the same JSON codec
 * the controllers' problems go through.
 */
public final class FilterProblems {

    private static final ResolvableType PROBLEM = ResolvableType.forClass(ProblemDetail.class);

    private final HttpMessageWriter<ProblemDetail> writer;
    private final ProblemAdvice advice;

    public FilterProblems(ServerCodecConfigurer codecs, ProblemAdvice advice) {
        this.writer = writer(codecs);
        this.advice = advice;
    }

    /** Answers the request of {@code exchange} with the problem of {@code e} and a {@code WWW-Authenticate} challenge. */
    public Mono<Void> refuse(ServerWebExchange exchange, BatonException e, String challenge) {
        exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, challenge);
        return refuse(exchange, e);
    }

    /** Answers the request of {@code exchange} with the problem of {@code e} ({@code Retry-After} for a 429 or 503). */
    public Mono<Void> refuse(ServerWebExchange exchange, BatonException e) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.valueOf(e.status()));
        ProblemDetail problem = advice.problemOf(e, exchange);
        Problems.addRetryAfter(problem, response.getHeaders());
        return writer.write(Mono.just(problem), PROBLEM, MediaType.APPLICATION_PROBLEM_JSON, response, Map.of());
    }

    @SuppressWarnings("unchecked")
    private static HttpMessageWriter<ProblemDetail> writer(ServerCodecConfigurer codecs) {
        return codecs.getWriters().stream()
                .filter(writer -> writer.canWrite(PROBLEM, MediaType.APPLICATION_PROBLEM_JSON))
                .map(writer -> (HttpMessageWriter<ProblemDetail>) writer)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no codec writes application/problem+json"));
    }
}
