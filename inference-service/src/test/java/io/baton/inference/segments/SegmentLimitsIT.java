package io.baton.inference.segments;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.inference.testing.InferenceServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * The inference service's bounds over real HTTP, each answered with a problem detail and the
 * service healthy afterwards: 10,000 sentence spans, overlapping spans over the cost bound, a
 * 16,384-token prompt, bodies over the request size limit; and, with a memory service that
 * accepts connections but never answers (so that requests stay in flight), the bounds on segments
 * and generations in flight, answered 503 {@code service-busy} with {@code Retry-After}, and the
 * share of them batch segments ({@code "priority": "batch"}) may take.
 */
class SegmentLimitsIT {

    static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
    };

    static SilentServer silentMemory;
    static InferenceServer inference;

    @BeforeAll
    static void start() throws IOException {
        silentMemory = new SilentServer();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("baton.memory.url", "http://127.0.0.1:" + silentMemory.port());
        settings.put("baton.memory.timeout", "60s");
        settings.put("baton.memory.retries", "0");
        settings.put("baton.segments.max-in-flight", "1");
        settings.put("baton.generation.max-in-flight", "1");
        inference = InferenceServer.start(settings);
    }

    @AfterAll
    static void stop() throws IOException {
        if (inference != null) {
            inference.close();
        }
        if (silentMemory != null) {
            silentMemory.close();
        }
    }

    @Test
    void tenThousandSentenceSpansAreRefusedNamingTheBound() {
        List<List<Integer>> spans = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            spans.add(List.of(i % 16, i % 16 + 1));
        }
        Map<String, Object> problem = expect(post("/v1/segments", segment(16, spans)), 400, "invalid-sentence-span");
        assertThat(problem).containsEntry("limit", 2048);
        assertThat((String) problem.get("detail")).contains("10000 sentence spans", "baton.segments.max-sentences");
        assertHealthy();
    }

    @Test
    void overlappingSpansThatCoverTooManyTokensAreRefusedNamingTheBound() {
        List<List<Integer>> spans = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            spans.add(List.of(0, 64));
        }
        Map<String, Object> problem = expect(post("/v1/segments", segment(64, spans)), 400, "invalid-sentence-span");
        assertThat(problem).containsEntry("limit", 256);
        assertThat((String) problem.get("detail")).contains("cover 19200 tokens", "baton.segments.max-sentence-coverage");
        assertHealthy();
    }

    @Test
    void aPromptOf16384TokensIsRefusedBeforeItRuns() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("document", "long-prompt");
        body.put("model", "gemma2-tiny");
        body.put("prompt", tokens(16_384));
        Map<String, Object> problem = expect(post("/v1/generate", body), 400, "segment-too-long");
        assertThat(problem).containsEntry("limit", 2048);
        assertHealthy();
    }

    @Test
    void bodiesOverTheRequestSizeLimitAreRefusedUnread() {
        Map<String, Object> segment = segment(100_000, List.of());
        expect(post("/v1/segments", segment), 413, "payload-too-large");
        Map<String, Object> generate = new LinkedHashMap<>();
        generate.put("document", "huge");
        generate.put("prompt", tokens(100_000));
        expect(post("/v1/generate", generate), 413, "payload-too-large");
        assertHealthy();
    }

    @Test
    void aSegmentOrAGenerationOverTheBoundInFlightIsRefusedServiceBusyWithRetryAfter() throws IOException {
        int connections = silentMemory.accepted();
        // Segment 0 runs and then waits for the memory service to store it: it stays in flight.
        Mono<ResponseEntity<Map<String, Object>>> held = post("/v1/segments", segment(8, List.of())).cache();
        held.subscribe(r -> { }, e -> { });
        Awaitility.await("the first segment's put reaches the memory service").atMost(Duration.ofSeconds(60))
                .until(() -> silentMemory.accepted() > connections);
        ResponseEntity<Map<String, Object>> busy = post("/v1/segments", segment(8, List.of()))
                .block(Duration.ofSeconds(60));
        expect(Mono.just(busy), 503, "service-busy");
        assertThat(busy.getHeaders().getFirst("Retry-After")).isEqualTo("1");
        assertThat(busy.getBody()).containsEntry("retryAfter", 1);

        // A generation waits for its checkpoint from the same silent memory service.
        int before = silentMemory.accepted();
        Map<String, Object> generate = new LinkedHashMap<>();
        generate.put("document", "held");
        generate.put("segment", 0);
        generate.put("model", "gemma2-tiny");
        generate.put("prompt", tokens(4));
        Mono<ResponseEntity<Map<String, Object>>> generating = post("/v1/generate", generate).cache();
        generating.subscribe(r -> { }, e -> { });
        Awaitility.await("the generation's read reaches the memory service").atMost(Duration.ofSeconds(60))
                .until(() -> silentMemory.accepted() > before);
        ResponseEntity<Map<String, Object>> busyGeneration = post("/v1/generate", generate).block(Duration.ofSeconds(60));
        expect(Mono.just(busyGeneration), 503, "service-busy");
        assertThat(busyGeneration.getHeaders().getFirst("Retry-After")).isEqualTo("1");

        // Once the memory service goes away, both held requests fail and give their places back.
        silentMemory.close();
        expect(held, 503, "memory-unavailable");
        expect(generating, 503, "memory-unavailable");
        expect(post("/v1/generate", generate), 503, "memory-unavailable");
    }

    @Test
    void batchSegmentsTakeAtMostTheirShareOfTheBoundInFlightAndInteractiveOnesStillGetIn() throws IOException {
        SilentServer memory = new SilentServer();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("baton.memory.url", "http://127.0.0.1:" + memory.port());
        settings.put("baton.memory.timeout", "60s");
        settings.put("baton.memory.retries", "0");
        settings.put("baton.segments.max-in-flight", "2");
        settings.put("baton.admission.batch-share", "0.5");
        try (InferenceServer shared = InferenceServer.start(settings)) {
            // A batch segment runs and then waits for the memory service to store it: it holds the
            // one place of two that batch work may take.
            Mono<ResponseEntity<Map<String, Object>>> batch = post(shared, "/v1/segments", segment("batch-1", "batch"))
                    .cache();
            batch.subscribe(r -> { }, e -> { });
            Awaitility.await("the batch segment's put reaches the memory service").atMost(Duration.ofSeconds(60))
                    .until(() -> memory.accepted() > 0);
            ResponseEntity<Map<String, Object>> busy = post(shared, "/v1/segments", segment("batch-2", "batch"))
                    .block(Duration.ofSeconds(60));
            Map<String, Object> problem = expect(Mono.just(busy), 503, "service-busy");
            assertThat(problem.get("detail")).asString().contains("baton.admission.batch-share");
            assertThat(busy.getHeaders().getFirst("Retry-After")).isEqualTo("1");

            // An interactive segment (one that names no priority) takes the place batch work left.
            Mono<ResponseEntity<Map<String, Object>>> interactive = post(shared, "/v1/segments",
                    segment("interactive-1", null)).cache();
            interactive.subscribe(r -> { }, e -> { });
            Awaitility.await("the interactive segment's put reaches the memory service").atMost(Duration.ofSeconds(60))
                    .until(() -> memory.accepted() > 1);
            Map<String, Object> full = expect(post(shared, "/v1/segments", segment("interactive-2", "interactive")),
                    503, "service-busy");
            assertThat(full.get("detail")).asString().contains("2 segments in flight");

            memory.close();
            expect(batch, 503, "memory-unavailable");
            expect(interactive, 503, "memory-unavailable");
        } finally {
            memory.close();
        }
    }

    // ------------------------------------------------------------------------------------------

    /** Segment 0 of {@code document}, 8 tokens, with {@code priority} (none when null). */
    static Map<String, Object> segment(String document, String priority) {
        Map<String, Object> body = segment(8, List.of());
        body.put("document", document);
        if (priority != null) {
            body.put("priority", priority);
        }
        return body;
    }

    static Map<String, Object> segment(int length, List<List<Integer>> spans) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("document", "limits");
        body.put("segment", 0);
        body.put("model", "gemma2-tiny");
        body.put("tokens", tokens(length));
        body.put("sentences", spans);
        return body;
    }

    static long[] tokens(int length) {
        long[] tokens = new long[length];
        for (int i = 0; i < length; i++) {
            tokens[i] = 65 + i % 26;
        }
        return tokens;
    }

    static Mono<ResponseEntity<Map<String, Object>>> post(String path, Map<String, Object> body) {
        return post(inference, path, body);
    }

    static Mono<ResponseEntity<Map<String, Object>>> post(InferenceServer server, String path, Map<String, Object> body) {
        return server.client().post().uri(path).header("X-Baton-Tenant", "limits")
                .contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM, MediaType.APPLICATION_PROBLEM_JSON)
                .bodyValue(body).exchangeToMono(r -> r.toEntity(JSON));
    }

    static Map<String, Object> expect(Mono<ResponseEntity<Map<String, Object>>> call, int status, String type) {
        ResponseEntity<Map<String, Object>> response = call.block(Duration.ofSeconds(120));
        assertThat(response.getStatusCode().value()).as("%s", response.getBody()).isEqualTo(status);
        assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(response.getBody()).containsEntry("type", "urn:baton:problem:" + type);
        return response.getBody();
    }

    static void assertHealthy() {
        WebClient client = inference.client();
        assertThat(client.get().uri("/v1/models").exchangeToMono(r -> Mono.just(r.statusCode().value()))
                .block(Duration.ofSeconds(30))).isEqualTo(200);
    }

    /** A server that accepts connections and never answers: a memory service that hangs. */
    static final class SilentServer implements AutoCloseable {

        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> connections = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        SilentServer() throws IOException {
            acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        connections.add(socket.accept());
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "silent-memory");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        /** Connections accepted so far. */
        int accepted() {
            return connections.size();
        }

        /** Closes every accepted connection: the callers see the memory service go away. */
        void dropConnections() throws IOException {
            for (Socket connection : connections) {
                connection.close();
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            dropConnections();
        }
    }
}
