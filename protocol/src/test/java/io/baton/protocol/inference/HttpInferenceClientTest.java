package io.baton.protocol.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.protocol.problems.ServiceCallException;
import io.baton.protocol.client.BreakerSettings;
import io.baton.protocol.client.ClientSettings;
import io.baton.protocol.problems.ProblemType;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The HTTP client's retry policy and circuit breaker against a scripted HTTP server on loopback that answers the way
 * the inference service does (its JSON and problem details): what the catalogue calls retryable
 * is retried up to the bound, a conflict is not retried and names the expected segment, a refusal
 * keeps its type and status, an unreachable service is 503 {@code inference-unavailable};
 * repeated unavailability opens the breaker, which then answers 503 without calling until a
 * trial call succeeds, and refusals (one tenant's quota among them) never open it.
 */
class HttpInferenceClientTest {

    static final String OK = "{\"document\":\"d\",\"segment\":0,\"model\":\"m\",\"tokens\":3,"
            + "\"sentenceVectors\":[[0.5,1.5]],\"tokenNll\":[1.0,2.0,3.0]}";
    static final SegmentRequest REQUEST = new SegmentRequest("d", 0L, "m", new long[] {1, 2, 3},
            List.of(new int[] {0, 3}), null);

    final AtomicInteger calls = new AtomicInteger();
    DisposableServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.disposeNow();
        }
    }

    /** Answers the first {@code failures} calls with {@code status} and {@code problem}, then OK. */
    HttpInferenceClient serving(int failures, int status, String problem) {
        server = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes.post("/v1/segments", (request, response) -> request.receive().then(
                        Mono.defer(() -> {
                            boolean fail = calls.incrementAndGet() <= failures;
                            return response.status(fail ? status : 200)
                                    .header("Content-Type", fail ? "application/problem+json" : "application/json")
                                    .sendString(Mono.just(fail ? problem : OK)).then();
                        }))))
                .bindNow();
        return client("http://127.0.0.1:" + server.port(), 2);
    }

    static HttpInferenceClient client(String url, int retries) {
        return new HttpInferenceClient(WebClient.builder(), settings(url, retries, Duration.ofMinutes(10)));
    }

    /** Backoff 10ms (at most 40ms); a breaker over 2 calls that opens at 50%, with 1 trial call after openFor. */
    static ClientSettings settings(String url, int retries, Duration openFor) {
        return new ClientSettings(url, Duration.ofSeconds(10), retries, Duration.ofMillis(10),
                Duration.ofMillis(40), new BreakerSettings(50, 2, 2, openFor, 1), null);
    }

    @Test
    void transientFailuresAreRetriedUpToTheBound() {
        SegmentResponse response = serving(2, 503, "{\"type\":\"urn:baton:problem:store-unavailable\",\"status\":503}")
                .process("t", REQUEST).block(Duration.ofSeconds(20));
        assertThat(calls).hasValue(3);
        assertThat(response.tokens()).isEqualTo(3);
        assertThat(response.sentenceVectors().get(0)).containsExactly(0.5f, 1.5f);
    }

    @Test
    void failuresBeyondTheBoundAreInferenceUnavailable() {
        HttpInferenceClient client = serving(10, 502, "{}");
        assertThatThrownBy(() -> client.process("t", REQUEST).block(Duration.ofSeconds(20)))
                .isInstanceOfSatisfying(ServiceCallException.class, e -> {
                    assertThat(e.type()).isEqualTo(ProblemType.INFERENCE_UNAVAILABLE);
                    assertThat(e.status()).isEqualTo(503);
                });
        assertThat(calls).hasValue(3);
    }

    @Test
    void aConflictIsNotRetriedAndNamesTheExpectedSegment() {
        HttpInferenceClient client = serving(1, 409, "{\"type\":\"urn:baton:problem:checkpoint-conflict\","
                + "\"status\":409,\"detail\":\"stored first\",\"expectedSegment\":7}");
        assertThatThrownBy(() -> client.process("t", REQUEST).block(Duration.ofSeconds(20)))
                .isInstanceOfSatisfying(ServiceCallException.class, e -> {
                    assertThat(e.expectedSegment()).isEqualTo(7);
                    assertThat(e.type()).isEqualTo(ProblemType.CHECKPOINT_CONFLICT);
                });
        assertThat(calls).hasValue(1);
    }

    @Test
    void aRefusalKeepsItsStatusAndType() {
        HttpInferenceClient client = serving(1, 404, "{\"type\":\"urn:baton:problem:unknown-model\","
                + "\"status\":404,\"detail\":\"unknown model 'm'\"}");
        assertThatThrownBy(() -> client.process("t", REQUEST).block(Duration.ofSeconds(20)))
                .isInstanceOfSatisfying(ServiceCallException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.type()).isEqualTo(ProblemType.UNKNOWN_MODEL);
                    assertThat(e.getMessage()).isEqualTo("unknown model 'm'");
                });
        assertThat(calls).hasValue(1);
    }

    /** Serves {@code /v1/generate}: the first {@code failures} calls get 503, then three tokens and done. */
    HttpInferenceClient generating(int failures, int status, String problem) {
        String events = "event:token\ndata:{\"index\":0,\"token\":72,\"logprob\":-1.5}\n\n"
                + "event:token\ndata:{\"index\":1,\"token\":105,\"logprob\":-0.5}\n\n"
                + "event:token\ndata:{\"index\":2,\"token\":33,\"logprob\":-2.0}\n\n"
                + "event:done\ndata:{\"document\":\"d\",\"fromSegment\":4,\"tokens\":[72,105,33],\"reason\":\"length\"}\n\n";
        server = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes.post("/v1/generate", (request, response) -> request.receive().then(
                        Mono.defer(() -> {
                            boolean fail = calls.incrementAndGet() <= failures;
                            return response.status(fail ? status : 200)
                                    .header("Content-Type", fail ? "application/problem+json" : "text/event-stream")
                                    .sendString(Mono.just(fail ? problem : events)).then();
                        }))))
                .bindNow();
        return client("http://127.0.0.1:" + server.port(), 2);
    }

    static final GenerateRequest GENERATE = new GenerateRequest("d", null, "m", new long[] {1, 2}, 3, null, null, null,
            null);

    @Test
    void generationStreamsTheTokenEventsAfterRetryingTransientFailures() {
        List<GeneratedToken> tokens = generating(2, 503, "{\"type\":\"urn:baton:problem:memory-unavailable\"}")
                .generate("t", GENERATE).collectList().block(Duration.ofSeconds(20));
        assertThat(calls).hasValue(3);
        assertThat(tokens).containsExactly(new GeneratedToken(0, 72, -1.5), new GeneratedToken(1, 105, -0.5),
                new GeneratedToken(2, 33, -2.0));
    }

    @Test
    void aGenerationRefusalKeepsItsStatusAndType() {
        HttpInferenceClient client = generating(1, 404, "{\"type\":\"urn:baton:problem:checkpoint-not-found\","
                + "\"status\":404,\"detail\":\"no checkpoint\"}");
        assertThatThrownBy(() -> client.generate("t", GENERATE).collectList().block(Duration.ofSeconds(20)))
                .isInstanceOfSatisfying(ServiceCallException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.type()).isEqualTo(ProblemType.CHECKPOINT_NOT_FOUND);
                });
        assertThat(calls).hasValue(1);
    }

    @Test
    void anUnreachableServiceIsUnavailable() {
        DisposableServer closed = HttpServer.create().host("127.0.0.1").port(0).bindNow();
        int port = closed.port();
        closed.disposeNow();
        assertThatThrownBy(() -> client("http://127.0.0.1:" + port, 1).process("t", REQUEST)
                .block(Duration.ofSeconds(20)))
                .isInstanceOfSatisfying(ServiceCallException.class,
                        e -> assertThat(e.type()).isEqualTo(ProblemType.INFERENCE_UNAVAILABLE));
    }

    @Test
    void theBreakerOpensOnUnavailabilityAndThenFailsAtOnceWithoutCalling() {
        serving(100, 503, "{}");
        HttpInferenceClient client = breakerClient(Duration.ofMinutes(10));
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> client.process("t", REQUEST).block(Duration.ofSeconds(20)))
                    .isInstanceOfSatisfying(ServiceCallException.class, e -> {
                        assertThat(e.type()).isEqualTo(ProblemType.INFERENCE_UNAVAILABLE);
                        assertThat(e.breakerOpen()).isFalse();
                        assertThat(e.properties()).isEmpty();
                    });
        }
        assertThat(calls).as("two calls of two attempts each").hasValue(4);
        assertThat(client.guard().breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);

        assertThatThrownBy(() -> client.process("t", REQUEST).block(Duration.ofSeconds(20)))
                .isInstanceOfSatisfying(ServiceCallException.class, e -> {
                    assertThat(e.type()).isEqualTo(ProblemType.INFERENCE_UNAVAILABLE);
                    assertThat(e.breakerOpen()).isTrue();
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.properties()).containsEntry("circuitBreaker", "open");
                });
        assertThat(calls).as("the open breaker does not call").hasValue(4);
    }

    @Test
    void theBreakerClosesOnceInferenceAnswersAgain() {
        serving(4, 502, "{}");
        HttpInferenceClient client = breakerClient(Duration.ofMillis(200));
        failTimes(client, 2, ProblemType.INFERENCE_UNAVAILABLE);
        assertThat(client.guard().breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);

        // After openFor a trial call goes through; it succeeds, and the breaker closes.
        SegmentResponse response = Awaitility.await("a trial call once the breaker half-opens")
                .atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> client.process("t", REQUEST).onErrorResume(ServiceCallException.class,
                        e -> Mono.empty()).block(Duration.ofSeconds(20)), r -> r != null);
        assertThat(response.tokens()).isEqualTo(3);
        assertThat(calls).hasValue(5);
        assertThat(client.guard().breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(client.process("t", REQUEST).block(Duration.ofSeconds(20)).tokens()).isEqualTo(3);
    }

    @Test
    void refusalsAreInferenceWorkingAndNeverOpenTheBreaker() {
        serving(100, 404, "{\"type\":\"urn:baton:problem:unknown-model\",\"status\":404}");
        HttpInferenceClient client = breakerClient(Duration.ofMinutes(10));
        failTimes(client, 6, ProblemType.UNKNOWN_MODEL);
        assertThat(calls).hasValue(6);
        assertThat(client.guard().breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void problemsBehindInferenceAreRetriedButNeverOpenTheBreaker() {
        // One shard's primary without its replica (replication-timeout), or the memory service out
        // of reach (memory-unavailable): inference works, and documents on other shards go through.
        for (ProblemType behind : new ProblemType[] {ProblemType.REPLICATION_TIMEOUT, ProblemType.MEMORY_UNAVAILABLE,
                ProblemType.STORE_UNAVAILABLE}) {
            calls.set(0);
            serving(100, 503, "{\"type\":\"" + behind.uri() + "\",\"status\":503}");
            HttpInferenceClient client = breakerClient(Duration.ofMinutes(10));
            failTimes(client, 6, behind);
            assertThat(calls).as(behind + ": each retried once").hasValue(12);
            assertThat(client.guard().breaker().getState()).as(behind.slug()).isEqualTo(CircuitBreaker.State.CLOSED);
            server.disposeNow();
        }
        // The same status as inference's own trouble (503 service-busy) does open it.
        serving(100, 503, "{\"type\":\"" + ProblemType.SERVICE_BUSY.uri() + "\",\"status\":503}");
        HttpInferenceClient client = breakerClient(Duration.ofMinutes(10));
        failTimes(client, 2, ProblemType.SERVICE_BUSY);
        assertThat(client.guard().breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void oneTenantsQuotaIsNotRetriedNorCountedAndTheNextTenantGetsThrough() {
        // Ten segments of one tenant over its quota (as in the issue), then another tenant's.
        server = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes.post("/v1/segments", (request, response) -> request.receive().then(
                        Mono.defer(() -> {
                            calls.incrementAndGet();
                            boolean full = "full".equals(request.requestHeaders().get("X-Baton-Tenant"));
                            return response.status(full ? 507 : 200)
                                    .header("Content-Type", full ? "application/problem+json" : "application/json")
                                    .sendString(Mono.just(full ? "{\"type\":\"urn:baton:problem:quota-exceeded\","
                                            + "\"status\":507,\"used\":10,\"quota\":10}" : OK)).then();
                        }))))
                .bindNow();
        HttpInferenceClient client = breakerClient(Duration.ofMinutes(10));
        for (int i = 0; i < 10; i++) {
            assertThatThrownBy(() -> client.process("full", REQUEST).block(Duration.ofSeconds(20)))
                    .isInstanceOfSatisfying(ServiceCallException.class, e -> {
                        assertThat(e.type()).isEqualTo(ProblemType.QUOTA_EXCEEDED);
                        assertThat(e.status()).isEqualTo(507);
                        assertThat(e.properties()).containsEntry("quota", 10);
                    });
        }
        assertThat(calls).as("no retries").hasValue(10);
        assertThat(client.guard().breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(client.process("other", REQUEST).block(Duration.ofSeconds(20)).tokens()).isEqualTo(3);
    }

    /** A client of the scripted server: 1 retry, the two-call breaker open for {@code openFor}. */
    HttpInferenceClient breakerClient(Duration openFor) {
        return new HttpInferenceClient(WebClient.builder(), settings("http://127.0.0.1:" + server.port(), 1, openFor));
    }

    static void failTimes(HttpInferenceClient client, int times, ProblemType failure) {
        for (int i = 0; i < times; i++) {
            assertThatThrownBy(() -> client.process("t", REQUEST).block(Duration.ofSeconds(20)))
                    .isInstanceOfSatisfying(ServiceCallException.class, e -> assertThat(e.type()).isEqualTo(failure));
        }
    }
}
