package io.baton.gateway.inference;

import io.baton.common.resilience.BreakerSettings;
import io.baton.gateway.GatewayProperties;
import io.baton.inference.generation.GenerateRequest;
import io.baton.inference.generation.GeneratedToken;
import io.baton.inference.segments.SegmentRequest;
import io.baton.inference.segments.SegmentResponse;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * {@link InferenceClient} over HTTP: {@code POST <url>/v1/segments} with the tenant in {@code
 * X-Baton-Tenant}. Each attempt has a timeout; a transient failure (no connection, 502, 503, 504,
 * a timeout) is retried a bounded number of times with exponential backoff, which is safe because
 * storing a segment is compare-and-set and an identical repeat is idempotent. A problem detail
 * from inference becomes {@link SegmentConflictException} (409 {@code segment-gap} / {@code
 * checkpoint-conflict}, with {@code expectedSegment}) or {@link InferenceRejectedException}.
 *
 * <p>Generation ({@code POST <url>/v1/generate}, server-sent events) is retried the same way, but
 * only until the first token has arrived: a generation that breaks off later fails, since the
 * caller has already passed the tokens on. The timeout then bounds the wait for each next event.
 *
 * <p>Every call, retries included, runs inside one circuit breaker that counts only
 * unavailability (the transient failures above, once the retries are spent); answers such as 404
 * or 409 are inference working. While the breaker is open the explicit fallback is to fail at
 * once with {@link InferenceUnavailableException} (503, with {@code circuitBreaker: open}) without
 * calling, instead of holding every document through its retries against a service that is down.
 */
public final class HttpInferenceClient implements InferenceClient {

    /** The header naming the tenant on every call. */
    public static final String TENANT_HEADER = "X-Baton-Tenant";

    private static final String TYPE_PREFIX = "urn:baton:problem:";
    private static final Set<Integer> TRANSIENT_STATUSES = Set.of(502, 503, 504);
    private static final Set<String> ORDER_TYPES = Set.of("segment-gap", "checkpoint-conflict");
    private static final ParameterizedTypeReference<Map<String, Object>> JSON_OBJECT = new ParameterizedTypeReference<>() {
    };

    private static final ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>> EVENT =
            new ParameterizedTypeReference<>() {
            };

    private final WebClient web;
    private final GatewayProperties.Inference settings;
    private final CircuitBreaker breaker;

    /** A client with the circuit breaker {@link #breaker(GatewayProperties.Inference)} makes. */
    public HttpInferenceClient(WebClient.Builder builder, GatewayProperties.Inference settings) {
        this(builder, settings, breaker(settings));
    }

    public HttpInferenceClient(WebClient.Builder builder, GatewayProperties.Inference settings, CircuitBreaker breaker) {
        this.web = builder.baseUrl(settings.url()).build();
        this.settings = settings;
        this.breaker = breaker;
    }

    /** The breaker {@code settings.circuitBreaker()} describes, counting only unavailability. */
    public static CircuitBreaker breaker(GatewayProperties.Inference settings) {
        BreakerSettings b = settings.circuitBreaker();
        return CircuitBreaker.of("inference-service", CircuitBreakerConfig.custom()
                .recordException(HttpInferenceClient::isTransient)
                .failureRateThreshold(b.failureRatePercent())
                .slidingWindowSize(b.window())
                .minimumNumberOfCalls(b.minimumCalls())
                .waitDurationInOpenState(b.openFor())
                .permittedNumberOfCallsInHalfOpenState(b.halfOpenCalls())
                .build());
    }

    /** The circuit breaker around every call. */
    public CircuitBreaker breaker() {
        return breaker;
    }

    @Override
    public Mono<SegmentResponse> process(String tenant, SegmentRequest request) {
        return web.post().uri("/v1/segments")
                .header(TENANT_HEADER, tenant)
                .contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.APPLICATION_JSON)
                .bodyValue(request)
                .exchangeToMono(response -> response.statusCode().is2xxSuccessful()
                        ? response.bodyToMono(SegmentResponse.class)
                        : refusal(response))
                .timeout(settings.timeout())
                .retryWhen(retries(HttpInferenceClient::isTransient))
                .transformDeferred(CircuitBreakerOperator.of(breaker))
                .onErrorMap(e -> e instanceof CallNotPermittedException || isTransient(e), this::unavailable);
    }

    /** Backoff retries, as configured, of the failures {@code retryable} accepts; the last failure when spent. */
    private Retry retries(Predicate<Throwable> retryable) {
        return Retry.backoff(settings.retries(), settings.retryBackoff())
                .maxBackoff(settings.maxBackoff())
                .filter(retryable)
                .onRetryExhaustedThrow((spec, signal) -> signal.failure());
    }

    private InferenceUnavailableException unavailable(Throwable e) {
        if (e instanceof CallNotPermittedException) {
            return new InferenceUnavailableException("inference at " + settings.url() + " is not called: its circuit "
                    + "breaker is open after repeated failures; retry later", true, e);
        }
        return new InferenceUnavailableException("inference at " + settings.url() + " failed "
                + (settings.retries() + 1) + " times: " + message(e), false, e);
    }

    @Override
    public Flux<GeneratedToken> generate(String tenant, GenerateRequest request) {
        return Flux.defer(() -> {
            AtomicBoolean started = new AtomicBoolean();
            return web.post().uri("/v1/generate")
                    .header(TENANT_HEADER, tenant)
                    .contentType(MediaType.APPLICATION_JSON)
                    .accept(MediaType.TEXT_EVENT_STREAM)
                    .bodyValue(request)
                    .exchangeToFlux(response -> response.statusCode().is2xxSuccessful()
                            ? response.bodyToFlux(EVENT).filter(e -> "token".equals(e.event()))
                                    .map(e -> token(e.data()))
                            : HttpInferenceClient.<GeneratedToken>refusal(response).flux())
                    .timeout(settings.timeout())
                    .doOnNext(token -> started.set(true))
                    .retryWhen(retries(e -> !started.get() && isTransient(e)))
                    .transformDeferred(CircuitBreakerOperator.of(breaker))
                    .onErrorMap(e -> e instanceof CallNotPermittedException || !started.get() && isTransient(e),
                            this::unavailable)
                    .onErrorMap(e -> started.get() && isTransient(e),
                            e -> new InferenceUnavailableException("generation from inference at " + settings.url()
                                    + " broke off: " + message(e), e));
        });
    }

    private static GeneratedToken token(Map<String, Object> data) {
        if (data == null || !(data.get("index") instanceof Number index) || !(data.get("token") instanceof Number token)
                || !(data.get("logprob") instanceof Number logprob)) {
            throw new InferenceRejectedException(502, "inference-protocol",
                    "inference sent a token event without index, token and logprob: " + data, Map.of());
        }
        return new GeneratedToken(index.intValue(), token.longValue(), logprob.doubleValue());
    }

    private static <T> Mono<T> refusal(ClientResponse response) {
        int status = response.statusCode().value();
        return response.bodyToMono(JSON_OBJECT).onErrorResume(e -> Mono.empty()).defaultIfEmpty(Map.of())
                .flatMap(body -> Mono.error(exception(status, body)));
    }

    static RuntimeException exception(int status, Map<String, Object> body) {
        String type = String.valueOf(body.getOrDefault("type", ""));
        type = type.startsWith(TYPE_PREFIX) ? type.substring(TYPE_PREFIX.length()) : "http-" + status;
        String detail = String.valueOf(body.getOrDefault("detail", "inference answered " + status));
        if (status == 409 && ORDER_TYPES.contains(type) && body.get("expectedSegment") instanceof Number expected) {
            return new SegmentConflictException(type, detail, expected.longValue());
        }
        Map<String, Object> extra = new HashMap<>(body);
        extra.keySet().removeAll(Set.of("type", "title", "status", "detail", "instance"));
        extra.values().removeIf(java.util.Objects::isNull);
        return new InferenceRejectedException(status, type, detail, extra);
    }

    private static boolean isTransient(Throwable e) {
        return e instanceof WebClientRequestException || e instanceof TimeoutException
                || e instanceof InferenceRejectedException r && TRANSIENT_STATUSES.contains(r.status());
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
