package io.baton.protocol.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.protocol.BatonHeaders;
import io.baton.protocol.access.ServiceToken;
import io.baton.protocol.client.CallGuard;
import io.baton.protocol.client.ClientSettings;
import io.baton.protocol.client.Peer;
import io.baton.protocol.problems.ProblemType;
import io.baton.protocol.problems.ServiceCallException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * {@link HttpMemoryClient#delete} against a scripted HTTP server on loopback that answers the way
 * the memory service does: 204 deleted, 404 no such document, a transient failure retried up to
 * the bound and then {@code memory-unavailable}, a refusal {@code memory-rejected} at once; the
 * tenant travels in its header.
 */
class HttpMemoryClientTest {

    final AtomicInteger calls = new AtomicInteger();
    final List<String> seen = Collections.synchronizedList(new ArrayList<>());
    DisposableServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.disposeNow();
        }
    }

    /** Answers the first {@code failures} DELETEs with {@code status}, then {@code finalStatus}. */
    HttpMemoryClient serving(int failures, int status, int finalStatus) {
        server = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes.delete("/v1/documents/{doc}", (request, response) -> {
                    seen.add(request.requestHeaders().get(BatonHeaders.TENANT) + "/" + request.param("doc"));
                    boolean fail = calls.incrementAndGet() <= failures;
                    int answer = fail ? status : finalStatus;
                    return answer == 204 ? response.status(204).send()
                            : response.status(answer).header("Content-Type", "application/problem+json")
                                    .sendString(Mono.just("{\"type\":\"urn:baton:problem:x\",\"status\":" + answer + "}"));
                }))
                .bindNow();
        ClientSettings settings = new ClientSettings("http://127.0.0.1:" + server.port(), Duration.ofSeconds(5), 2,
                Duration.ofMillis(10), null, null, null);
        return new HttpMemoryClient(WebClient.create(settings.url()),
                new CallGuard(Peer.MEMORY, settings));
    }

    @Test
    void aDeletedDocumentIsTrue() {
        assertThat(serving(0, 0, 204).delete("acme", "doc-1").block(Duration.ofSeconds(10))).isTrue();
        assertThat(seen).containsExactly("acme/doc-1");
    }

    @Test
    void aMissingDocumentIsFalse() {
        assertThat(serving(0, 0, 404).delete("acme", "doc-1").block(Duration.ofSeconds(10))).isFalse();
        assertThat(calls).hasValue(1);
    }

    @Test
    void transientFailuresAreRetriedUpToTheBound() {
        assertThat(serving(2, 503, 204).delete("acme", "doc-1").block(Duration.ofSeconds(10))).isTrue();
        assertThat(calls).hasValue(3);
    }

    @Test
    void failuresBeyondTheBoundAreUnavailable() {
        HttpMemoryClient client = serving(10, 500, 204);
        assertThatThrownBy(() -> client.delete("acme", "doc-1").block(Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(ServiceCallException.class,
                        e -> assertThat(e.type()).isEqualTo(ProblemType.MEMORY_UNAVAILABLE));
        assertThat(calls).hasValue(3);
    }

    @Test
    void aRefusalIsRejectedNotRetried() {
        HttpMemoryClient client = serving(10, 400, 204);
        assertThatThrownBy(() -> client.delete("acme", "doc-1").block(Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(ServiceCallException.class,
                        e -> assertThat(e.type()).isEqualTo(ProblemType.MEMORY_REJECTED));
        assertThat(calls).hasValue(1);
    }

    @Test
    void theServiceTokenGoesWithEveryCallAndARefusedOneIsRejectedNotRetried() {
        ServiceToken token = new ServiceToken("3f9c1e0b44d277aa01c2d9e8f7a6b5c4");
        server = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes.delete("/v1/documents/{doc}", (request, response) -> {
                    calls.incrementAndGet();
                    String authorization = request.requestHeaders().get(HttpHeaders.AUTHORIZATION);
                    seen.add(authorization);
                    return token.bearer().equals(authorization) ? response.status(204).send()
                            : response.status(401).header("Content-Type", "application/problem+json")
                                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")
                                    .sendString(Mono.just("{\"type\":\"urn:baton:problem:invalid-credentials\","
                                            + "\"status\":401,\"detail\":\"the Bearer token is not the service token\"}"));
                }))
                .bindNow();
        ClientSettings settings = new ClientSettings("http://127.0.0.1:" + server.port(), Duration.ofSeconds(5), 2,
                Duration.ofMillis(10), null, null, null);

        assertThat(HttpMemoryClient.create(settings.withToken(token), 1024).delete("acme", "doc-1")
                .block(Duration.ofSeconds(10))).isTrue();
        assertThat(seen).containsExactly(token.bearer());

        // Another platform's token: the platform is misconfigured, which is not the end client's 401.
        HttpMemoryClient wrong = HttpMemoryClient.create(settings.withToken(new ServiceToken("another-platform-token")), 1024);
        assertThatThrownBy(() -> wrong.delete("acme", "doc-1").block(Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(ServiceCallException.class, e -> {
                    assertThat(e.type()).isEqualTo(ProblemType.MEMORY_REJECTED);
                    assertThat(e.getMessage()).contains("invalid-credentials", "baton.service-token")
                            .doesNotContain("another-platform-token");
                });
        assertThat(calls).hasValue(2);
        assertThat(wrong.guard().breaker().getMetrics().getNumberOfFailedCalls()).isZero();
    }
}
