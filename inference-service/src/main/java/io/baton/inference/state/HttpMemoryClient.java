package io.baton.inference.state;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.netty.channel.ChannelOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.util.retry.Retry;

/**
 * The memory service over HTTP ({@code /v1/documents/{doc}/head}, {@code .../checkpoints/{n}},
 * {@code DELETE /v1/documents/{doc}}; a put names its parent in {@code X-Baton-Parent-Digest} and
 * learns the stored checkpoint's digest from {@code X-Baton-Checkpoint-Digest} and
 * {@code X-Baton-Exact}),
 * with a timeout per attempt, bounded retries with backoff for transient failures (connection
 * errors, timeouts, 5xx), and a circuit breaker around the whole call.
 *
 * <p>Every call may be retried: reads are idempotent, a repeated delete finds nothing (false), and a put repeats identical bytes, which the
 * memory service answers as an idempotent success. When the breaker is open, calls fail at once
 * with {@link MemoryUnavailableException} (the explicit fallback): nothing is stored, and the
 * caller answers 503 instead of piling requests onto a failing service.
 */
public final class HttpMemoryClient implements MemoryClient {

    static final String TENANT_HEADER = "X-Baton-Tenant";
    static final String PARENT_DIGEST_HEADER = "X-Baton-Parent-Digest";
    static final String CHECKPOINT_DIGEST_HEADER = "X-Baton-Checkpoint-Digest";
    static final String EXACT_HEADER = "X-Baton-Exact";
    private static final ParameterizedTypeReference<Map<String, Object>> JSON_OBJECT = new ParameterizedTypeReference<>() {
    };

    private final WebClient web;
    private final Duration timeout;
    private final int retries;
    private final Duration backoff;
    private final CircuitBreaker breaker;

    /**
     * @param web      a client whose base URL is the memory service and whose codecs accept
     *                 checkpoint-sized bodies
     * @param timeout  per attempt
     * @param retries  extra attempts after a transient failure
     * @param backoff  first backoff; doubles per attempt, with jitter
     * @param breaker  the circuit breaker of this memory service
     */
    public HttpMemoryClient(WebClient web, Duration timeout, int retries, Duration backoff, CircuitBreaker breaker) {
        this.web = web;
        this.timeout = timeout;
        this.retries = retries;
        this.backoff = backoff;
        this.breaker = breaker;
    }

    /**
     * A client of the memory service at {@code url}: connections time out after {@code timeout}
     * too, and bodies up to {@code maxBodyBytes} (checkpoints) are read.
     */
    public static HttpMemoryClient create(String url, int maxBodyBytes, Duration timeout, int retries,
                                          Duration backoff, CircuitBreaker breaker) {
        HttpClient http = HttpClient.create()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Math.toIntExact(timeout.toMillis()));
        WebClient web = WebClient.builder().baseUrl(url)
                .clientConnector(new ReactorClientHttpConnector(http))
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(maxBodyBytes))
                .build();
        return new HttpMemoryClient(web, timeout, retries, backoff, breaker);
    }

    @Override
    public Mono<byte[]> checkpoint(String tenant, String document, long segment) {
        Mono<byte[]> call = web.get().uri("/v1/documents/{doc}/checkpoints/{n}", document, segment)
                .header(TENANT_HEADER, tenant).accept(MediaType.APPLICATION_OCTET_STREAM)
                .exchangeToMono(response -> response.statusCode().is2xxSuccessful()
                        ? response.bodyToMono(byte[].class)
                        : response.statusCode() == HttpStatus.NOT_FOUND
                                ? response.releaseBody().then(Mono.empty())
                                : failure(response, "GET checkpoint " + segment + " of " + document));
        return guarded(call, "reading checkpoint " + segment + " of document " + document);
    }

    @Override
    public Mono<StoredHead> head(String tenant, String document) {
        Mono<StoredHead> call = web.get().uri("/v1/documents/{doc}/head", document)
                .header(TENANT_HEADER, tenant).accept(MediaType.APPLICATION_JSON)
                .exchangeToMono(response -> response.statusCode().is2xxSuccessful()
                        ? response.bodyToMono(JSON_OBJECT).map(HttpMemoryClient::head)
                        : response.statusCode() == HttpStatus.NOT_FOUND
                                ? response.releaseBody().then(Mono.empty())
                                : failure(response, "GET head of " + document));
        return guarded(call, "reading the head of document " + document);
    }

    @Override
    public Mono<Written> put(String tenant, String document, long segment, byte[] container, String parentDigest) {
        Mono<Written> call = web.put().uri("/v1/documents/{doc}/checkpoints/{n}", document, segment)
                .header(TENANT_HEADER, tenant).contentType(MediaType.APPLICATION_OCTET_STREAM)
                .headers(headers -> {
                    if (parentDigest != null) {
                        headers.set(PARENT_DIGEST_HEADER, parentDigest);
                    }
                })
                .accept(MediaType.APPLICATION_JSON).bodyValue(container)
                .exchangeToMono(response -> {
                    if (response.statusCode().is2xxSuccessful()) {
                        String digest = "true".equals(response.headers().asHttpHeaders().getFirst(EXACT_HEADER))
                                ? response.headers().asHttpHeaders().getFirst(CHECKPOINT_DIGEST_HEADER) : null;
                        return response.bodyToMono(JSON_OBJECT).map(json -> new Written(head(json), digest));
                    }
                    if (response.statusCode() == HttpStatus.CONFLICT) {
                        return response.bodyToMono(JSON_OBJECT).flatMap(problem -> Mono.error(conflict(document, segment, problem)));
                    }
                    if (response.statusCode() == HttpStatus.PRECONDITION_FAILED) {
                        return response.bodyToMono(JSON_OBJECT).flatMap(problem -> Mono.error(new StaleParentException(
                                String.valueOf(problem.getOrDefault("detail", "checkpoint " + (segment - 1)
                                        + " of " + document + " is not the one this instance continued from")))));
                    }
                    return failure(response, "PUT checkpoint " + segment + " of " + document);
                });
        return guarded(call, "storing checkpoint " + segment + " of document " + document);
    }

    @Override
    public Mono<Boolean> delete(String tenant, String document) {
        Mono<Boolean> call = web.delete().uri("/v1/documents/{doc}", document)
                .header(TENANT_HEADER, tenant)
                .exchangeToMono(response -> response.statusCode().is2xxSuccessful()
                        ? response.releaseBody().thenReturn(true)
                        : response.statusCode() == HttpStatus.NOT_FOUND
                                ? response.releaseBody().thenReturn(false)
                                : failure(response, "DELETE " + document));
        return guarded(call, "deleting document " + document);
    }

    /**
     * The circuit breaker settings this client expects: only unavailability (connection errors,
     * timeouts, 5xx) counts as a failure; answers such as 404 or 409 are the service working.
     */
    public static CircuitBreakerConfig.Builder breakerConfig() {
        return CircuitBreakerConfig.custom().recordException(HttpMemoryClient::isTransient);
    }

    /** Timeout per attempt, retries of transient failures, the breaker around it all. */
    private <T> Mono<T> guarded(Mono<T> call, String what) {
        return call.timeout(timeout)
                .retryWhen(Retry.backoff(retries, backoff).filter(HttpMemoryClient::isTransient)
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
                .transformDeferred(CircuitBreakerOperator.of(breaker))
                .onErrorMap(HttpMemoryClient::isUnavailable, e -> new MemoryUnavailableException(
                        "memory service unavailable while " + what + ": " + describe(e), e));
    }

    private static <T> Mono<T> failure(ClientResponse response, String what) {
        HttpStatus status = HttpStatus.resolve(response.statusCode().value());
        return response.bodyToMono(String.class).defaultIfEmpty("").flatMap(body -> Mono.error(
                response.statusCode().is5xxServerError()
                        ? new ServerFailure(what + " answered " + response.statusCode().value())
                        : new MemoryRejectedException(what + " answered " + (status == null ? response.statusCode() : status)
                                + ": " + body)));
    }

    private static RuntimeException conflict(String document, long segment, Map<String, Object> problem) {
        String type = String.valueOf(problem.getOrDefault("type", ""));
        if (type.endsWith("model-mismatch")) {
            return new StateMismatchException(String.valueOf(problem.getOrDefault("detail", "the document holds another model's state")));
        }
        Object expected = problem.get("expectedSegment");
        long next = expected instanceof Number n ? n.longValue() : segment;
        return SegmentOrderException.conflict(document, segment, next);
    }

    private static StoredHead head(Map<String, Object> json) {
        return new StoredHead(number(json, "segment"), number(json, "tokens"), String.valueOf(json.get("model")),
                String.valueOf(json.get("modelDigest")), number(json, "version"));
    }

    private static long number(Map<String, Object> json, String key) {
        return json.get(key) instanceof Number n ? n.longValue() : -1;
    }

    private static boolean isTransient(Throwable e) {
        return e instanceof WebClientRequestException || e instanceof TimeoutException || e instanceof ServerFailure;
    }

    private static boolean isUnavailable(Throwable e) {
        return isTransient(e) || e instanceof CallNotPermittedException;
    }

    private static String describe(Throwable e) {
        return e instanceof CallNotPermittedException ? "circuit breaker is open" : String.valueOf(e.getMessage());
    }

    /** A 5xx answer: transient, retried. */
    private static final class ServerFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ServerFailure(String message) {
            super(message, null, false, false);
        }
    }

}
