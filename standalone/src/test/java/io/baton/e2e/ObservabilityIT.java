package io.baton.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.common.testing.Meters;
import io.baton.common.testing.ServiceJar;
import io.baton.common.testing.SpringServer;
import io.baton.common.testing.TestServers;
import io.baton.gateway.GatewayServiceApplication;
import io.baton.inference.InferenceServiceApplication;
import io.baton.inference.models.StatePlan;
import io.baton.memory.MemoryServiceApplication;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * Observability of the distributed platform (docs/observability.md), the three services started in
 * this JVM ({@link SpringServer}) as deployed: memory on the test Redis, inference with the zoo's
 * gemma2-tiny (one token per byte), a gateway in distributed mode with its jobs on the test
 * RabbitMQ. Each service keeps the spans it ends ({@link CapturedSpans}). After real work:
 * <ul>
 *   <li>one summary is one trace across gateway, inference and memory (the caller's {@code
 *       traceparent} continued), and a problem names that trace's id ({@code traceId});
 *   <li>a job's request, run by a delivery from RabbitMQ, continues the trace of its submission;
 *   <li>each service's {@code /actuator/prometheus} (no API key, no token) has the meters, their
 *       counts equal to the work done (segments, model runs, checkpoints written, tokens);
 *   <li>the probes answer, and nothing but health, prometheus and info is exposed.
 * </ul>
 */
class ObservabilityIT {

    private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
    };
    private static final String TENANT = "obs-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String API_KEY = UUID.randomUUID().toString().replace("-", "");
    private static final String TOKEN = UUID.randomUUID().toString().replace("-", "");
    private static final Random RANDOM = new Random(15);
    private static final String READINESS = "management.endpoint.health.group.readiness.include";

    static Path models;
    static SpringServer memory;
    static SpringServer inference;
    static SpringServer gateway;

    @BeforeAll
    static void start() throws IOException {
        String redis = TestServers.redisUrl();
        String rabbitmq = TestServers.rabbitmqUrl();
        models = Files.createTempDirectory("obs-models");
        Files.createSymbolicLink(models.resolve("gemma2-tiny"), zoo().resolve("gemma2-tiny").toAbsolutePath());
        memory = SpringServer.start(MemoryServiceApplication.class, traced("memory-service", Map.of(
                "baton.store.kind", "redis", "baton.redis.url", redis, "baton.service-token", TOKEN,
                READINESS, "readinessState,checkpointStore")));
        inference = SpringServer.start(InferenceServiceApplication.class, traced("inference-service", Map.of(
                "baton.memory.url", memory.baseUrl(), "baton.models.dir", models.toString(),
                "baton.models.default-model", "gemma2-tiny", "baton.service-token", TOKEN,
                // followers put ahead of their predecessor's answer (off by default): the meters count the same work
                "baton.segments.put-ahead-wait", "1s", READINESS, "readinessState,models")));
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("baton.mode", "distributed");
        settings.put("baton.inference.url", inference.baseUrl());
        settings.put("baton.memory.url", memory.baseUrl());
        settings.put("baton.service-token", TOKEN);
        settings.put("baton.access.api-keys[" + TENANT + "]", API_KEY);
        settings.put("baton.models.dir", models.toString());
        settings.put("baton.models.default-model", "gemma2-tiny");
        settings.put("baton.rabbitmq.url", rabbitmq);
        settings.put("baton.jobs.consumers", "1");
        gateway = SpringServer.start(GatewayServiceApplication.class, traced("gateway-service", settings));
    }

    @AfterAll
    static void stop() throws IOException {
        for (SpringServer server : new SpringServer[] {gateway, inference, memory}) {
            if (server != null) {
                server.close();
            }
        }
        if (models != null) {
            Files.deleteIfExists(models.resolve("gemma2-tiny"));
            Files.deleteIfExists(models);
        }
    }

    /**
     * {@code settings}, the service's name, and the span capture, exported every 100 ms. (In this
     * JVM every service reads the standalone application's application.yaml: its name and the
     * readiness group, which each service's own application.yaml sets, are given here.)
     */
    private static Map<String, String> traced(String name, Map<String, String> settings) {
        Map<String, String> all = new LinkedHashMap<>(settings);
        all.put("spring.application.name", name);
        all.put("spring.main.sources", CapturedSpans.class.getName());
        all.put("management.opentelemetry.tracing.export.schedule-delay", "100ms");
        return all;
    }

    private static Path zoo() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("models/zoo"))) {
                return dir.resolve("models/zoo");
            }
        }
        throw new IllegalStateException("no models/zoo above " + Path.of("").toAbsolutePath());
    }

    private static WebClient client() {
        return WebClient.builder().baseUrl(gateway.baseUrl()).defaultHeader("X-API-Key", API_KEY)
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(16 * 1024 * 1024)).build();
    }

    /** A fresh W3C trace context, sampled: {@code 00-<trace id>-<span id>-01}. */
    private static String[] newTrace() {
        byte[] trace = new byte[16];
        byte[] span = new byte[8];
        RANDOM.nextBytes(trace);
        RANDOM.nextBytes(span);
        String traceId = HexFormat.of().formatHex(trace);
        return new String[] {traceId, "00-" + traceId + "-" + HexFormat.of().formatHex(span) + "-01"};
    }

    private static String text(int sentences) {
        StringBuilder text = new StringBuilder();
        String[] words = {"whale", "sea", "ship", "captain", "harpoon", "storm", "sailor", "deck", "ocean", "rope"};
        for (int i = 0; i < sentences; i++) {
            text.append("The ").append(words[i % words.length]).append(" met the ")
                    .append(words[(i * 7 + 3) % words.length]).append(" on day ").append(i).append(". ");
        }
        return text.toString();
    }

    @Test
    void oneSummaryIsOneTraceAcrossTheThreeServicesAndItsMetersCountItsWork() {
        Meters inferenceBefore = Meters.scrape(inference.baseUrl());
        Meters memoryBefore = Meters.scrape(memory.baseUrl());
        Meters gatewayBefore = Meters.scrape(gateway.baseUrl());
        String[] trace = newTrace();

        Map<String, Object> summary = client().post().uri("/v1/summaries").header("traceparent", trace[1])
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("text", text(120), "sentences", 3))
                .retrieve().bodyToMono(JSON).block(Duration.ofMinutes(2));
        @SuppressWarnings("unchecked")
        Map<String, Object> stats = (Map<String, Object>) summary.get("stats");
        long segments = ((Number) stats.get("segments")).longValue();
        long tokens = ((Number) stats.get("tokens")).longValue();
        assertThat(segments).isGreaterThan(1);

        // One trace: the gateway's server span continues the caller's, inference's and memory's continue the gateway's.
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                CapturedSpans.services(CapturedSpans.of(trace[0])))
                .containsExactly("gateway-service", "inference-service", "memory-service"));
        List<SpanData> spans = CapturedSpans.of(trace[0]);
        assertThat(spans).filteredOn(span -> span.getKind() == SpanKind.SERVER)
                .extracting(span -> span.getResource().getAttribute(CapturedSpans.SERVICE))
                .contains("gateway-service", "inference-service", "memory-service");

        // The meters count exactly the summary's work: every segment ran, was timed in each step, stored one checkpoint.
        Meters inferenceAfter = Meters.scrape(inference.baseUrl());
        Meters memoryAfter = Meters.scrape(memory.baseUrl());
        for (String step : List.of("state", "queue", "run", "store", "readout")) {
            assertThat(inferenceAfter.minus(inferenceBefore, "baton_segment_duration_seconds_count", "step", step))
                    .as("segments timed in step %s", step).isEqualTo(segments);
        }
        assertThat(inferenceAfter.minus(inferenceBefore, "baton_segment_duration_seconds_bucket", "step", "queue", "le", "+Inf"))
                .isEqualTo(segments);
        assertThat(inferenceAfter.minus(inferenceBefore, "baton_inference_batch_size_segments_sum")).isEqualTo(segments);
        assertThat(inferenceAfter.minus(inferenceBefore, "baton_inference_batch_size_segments_count")).isBetween(1.0, (double) segments);
        // Each segment fed gemma2-tiny's whole state (fixed windows) in and copied the windows plus its tokens out.
        long stateBytes = StatePlan.read(zoo().resolve("gemma2-tiny/baton-model.json")).stateBytes();
        assertThat(inferenceAfter.minus(inferenceBefore, "baton_inference_state_moved_bytes_count", "direction", "in"))
                .isEqualTo(segments);
        assertThat(inferenceAfter.minus(inferenceBefore, "baton_inference_state_moved_bytes_sum", "direction", "in"))
                .isEqualTo((double) segments * stateBytes);
        assertThat(inferenceAfter.minus(inferenceBefore, "baton_inference_state_moved_bytes_count", "direction", "out"))
                .isEqualTo(segments);
        assertThat(inferenceAfter.minus(inferenceBefore, "baton_inference_state_moved_bytes_sum", "direction", "out"))
                .isGreaterThan((double) segments * stateBytes);
        assertThat(inferenceAfter.minus(inferenceBefore, "gen_ai_server_request_duration_seconds_count",
                "gen_ai_operation_name", "segment", "gen_ai_request_model", "gemma2-tiny", "error_type", ""))
                .isEqualTo(segments);
        assertThat(inferenceAfter.minus(inferenceBefore, "baton_tokens_total", "operation", "segment")).isEqualTo(tokens);
        // Segment 0 looks nothing up; every later one runs from a state this instance holds (one instance): when
        // its predecessor was in flight here (the gateway sends two at a time), the state that predecessor ran to
        // (it followed, pipelined); else the checkpoint the predecessor stored and kept (a state-cache hit); a
        // segment that overtook its predecessor on the way misses the cache and then follows it once it starts.
        // None read its state from the memory service, none started over.
        double hits = inferenceAfter.minus(inferenceBefore, "baton_state_cache_lookups_total", "result", "hit");
        double misses = inferenceAfter.minus(inferenceBefore, "baton_state_cache_lookups_total", "result", "miss");
        double followed = inferenceAfter.minus(inferenceBefore, "baton_segment_pipelined_total", "outcome", "followed");
        assertThat(hits + followed).as("cache hits %s + followed %s", hits, followed).isEqualTo(segments - 1);
        assertThat(misses).as("cache misses (overtaken segments, each followed)").isLessThanOrEqualTo(followed);
        assertThat(inferenceAfter.minus(inferenceBefore, "baton_segment_pipelined_total", "outcome", "started-over")).isZero();
        assertThat(memoryAfter.minus(memoryBefore, "baton_state_stored_bytes_count")).isEqualTo(segments);
        assertThat(memoryAfter.minus(memoryBefore, "baton_state_stored_bytes_sum")).isGreaterThan(0);
        assertThat(memoryAfter.minus(memoryBefore, "baton_state_store_duration_seconds_count",
                "operation", "write", "outcome", "success")).isEqualTo(segments);
        assertThat(memoryAfter.value("baton_state_conflicts_total", "reason", "parent")).isZero();

        Meters gatewayMeters = Meters.scrape(gateway.baseUrl());
        assertThat(gatewayMeters.minus(gatewayBefore, "gen_ai_client_token_usage_sum", "gen_ai_operation_name", "summarize",
                "gen_ai_request_model", "gemma2-tiny", "gen_ai_token_type", "input")).isEqualTo(tokens);
        assertThat(gatewayMeters.minus(gatewayBefore, "gen_ai_client_token_usage_count", "gen_ai_operation_name", "summarize"))
                .isEqualTo(1);
        assertThat(gatewayMeters.value("baton_breaker_state", "service", "inference-service", "state", "closed")).isEqualTo(1);
        assertThat(gatewayMeters.value("baton_breaker_state", "service", "inference-service", "state", "open")).isZero();
        assertThat(gatewayMeters.value("baton_breaker_state", "service", "memory-service", "state", "closed")).isEqualTo(1);
        assertThat(inferenceAfter.value("baton_breaker_state", "service", "memory-service", "state", "closed")).isEqualTo(1);
        assertThat(gatewayMeters.value("http_server_requests_seconds_count", "uri", "/v1/summaries", "status", "200"))
                .isGreaterThanOrEqualTo(1);

        // Exemplars (the trace of a sample) only where OpenMetrics allows them, on histogram buckets
        // and counters: a Prometheus before 2.43 drops the whole scrape for one on a _count or _sum.
        for (SpringServer server : List.of(memory, inference, gateway)) {
            List<String> exemplars = Meters.exemplarLines(server.baseUrl());
            assertThat(exemplars).as("exemplars of %s's traced requests", server.baseUrl()).isNotEmpty();
            assertThat(exemplars).as("exemplars of %s", server.baseUrl())
                    .allSatisfy(line -> assertThat(line.split("[{ ]", 2)[0]).matches(".*_(bucket|total)"));
        }
    }

    @Test
    void aGenerationIsTimedToItsFirstTokenAndItsTokensAreCounted() {
        WebClient direct = WebClient.builder().baseUrl(inference.baseUrl())
                .defaultHeader("Authorization", "Bearer " + TOKEN).defaultHeader("X-Baton-Tenant", TENANT).build();
        String document = "obs-generate-" + UUID.randomUUID().toString().substring(0, 8);
        long[] text = "Call me Ishmael. Some years ago".chars().asLongStream().toArray();
        direct.post().uri("/v1/segments").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("document", document, "segment", 0, "tokens", text))
                .retrieve().toBodilessEntity().block(Duration.ofSeconds(60));
        try {
            Meters before = Meters.scrape(inference.baseUrl());
            long[] prompt = " never mind".chars().asLongStream().toArray();
            List<String> events = direct.post().uri("/v1/generate").contentType(MediaType.APPLICATION_JSON)
                    .accept(MediaType.TEXT_EVENT_STREAM)
                    .bodyValue(Map.of("document", document, "prompt", prompt, "maxTokens", 5))
                    .retrieve().bodyToFlux(String.class).collectList().block(Duration.ofSeconds(60));
            assertThat(events).isNotEmpty();
            Meters after = Meters.scrape(inference.baseUrl());
            assertThat(after.minus(before, "gen_ai_server_time_to_first_token_seconds_count",
                    "gen_ai_operation_name", "generate", "gen_ai_request_model", "gemma2-tiny")).isEqualTo(1);
            assertThat(after.minus(before, "gen_ai_server_request_duration_seconds_count",
                    "gen_ai_operation_name", "generate", "error_type", "")).isEqualTo(1);
            assertThat(after.minus(before, "baton_tokens_total", "operation", "generate", "gen_ai_token_type", "input"))
                    .isEqualTo(prompt.length);
            assertThat(after.minus(before, "baton_tokens_total", "operation", "generate", "gen_ai_token_type", "output"))
                    .isEqualTo(5);
        } finally {
            WebClient.builder().baseUrl(memory.baseUrl()).defaultHeader("Authorization", "Bearer " + TOKEN)
                    .defaultHeader("X-Baton-Tenant", TENANT).build()
                    .delete().uri("/v1/documents/{document}", document).retrieve().toBodilessEntity()
                    .block(Duration.ofSeconds(10));
        }
    }

    @Test
    void memoryIsLiveButNotReadyWhileItsRedisDoesNotAnswer() {
        // A port nothing listens on: the store fails at once, as when Redis is down.
        try (SpringServer unready = SpringServer.start(MemoryServiceApplication.class, Map.of(
                "spring.application.name", "memory-service", "baton.store.kind", "redis",
                "baton.redis.url", "redis://127.0.0.1:" + ServiceJar.freePort(),
                READINESS, "readinessState,checkpointStore"))) {
            WebClient anonymous = WebClient.create(unready.baseUrl());
            assertThat(anonymous.get().uri("/actuator/health/liveness").exchangeToMono(response ->
                    Mono.just(response.statusCode().value())).block(Duration.ofSeconds(10))).isEqualTo(200);
            assertThat(anonymous.get().uri("/actuator/health/readiness").exchangeToMono(response ->
                    Mono.just(response.statusCode().value())).block(Duration.ofSeconds(10))).isEqualTo(503);
        }
    }

    @Test
    void aProblemNamesTheTraceOfItsRequest() {
        String[] trace = newTrace();
        Map<String, Object> problem = client().post().uri("/v1/summaries").header("traceparent", trace[1])
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("sentences", 3))
                .exchangeToMono(response -> {
                    assertThat(response.statusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
                    return response.bodyToMono(JSON);
                }).block(Duration.ofSeconds(30));
        assertThat(problem).containsEntry("traceId", trace[0]).containsKey("requestId");
    }

    @Test
    void aJobRequestRunFromRabbitMqContinuesTheTraceOfItsSubmission() {
        String[] trace = newTrace();
        Map<String, Object> job = client().post().uri("/v1/jobs").header("traceparent", trace[1])
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("requests", List.of(Map.of("customId", "one", "text", text(40), "sentences", 2))))
                .retrieve().bodyToMono(JSON).block(Duration.ofSeconds(30));
        String id = (String) job.get("id");
        Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> "completed".equals(
                client().get().uri("/v1/jobs/{id}", id).retrieve().bodyToMono(JSON).block(Duration.ofSeconds(10)).get("status")));

        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<SpanData> spans = CapturedSpans.of(trace[0]);
            assertThat(spans).filteredOn(span -> span.getKind() == SpanKind.CONSUMER)
                    .extracting(SpanData::getName).contains("job request delivery");
            assertThat(CapturedSpans.services(spans)).containsExactly("gateway-service", "inference-service", "memory-service");
        });
        // The calls the delivery made are its children, not the submission's.
        List<SpanData> spans = CapturedSpans.of(trace[0]);
        SpanData delivery = spans.stream().filter(span -> span.getName().equals("job request delivery")).findFirst().orElseThrow();
        assertThat(spans).filteredOn(span -> span.getParentSpanId().equals(delivery.getSpanId())).isNotEmpty();
        Meters meters = Meters.scrape(gateway.baseUrl());
        assertThat(meters.value("baton_jobs_delivery_seconds_count")).isGreaterThanOrEqualTo(1);
        assertThat(meters.value("baton_jobs_requests_total", "outcome", "completed")).isGreaterThanOrEqualTo(1);

        // After a job (segments, checkpoints, a delivery): every series (or label) the alert rules
        // and the dashboard name is one that some service publishes.
        Set<String> published = new TreeSet<>();
        for (SpringServer server : List.of(memory, inference, gateway)) {
            Meters scraped = Meters.scrape(server.baseUrl());
            published.addAll(scraped.names());
            published.addAll(scraped.labelNames());
        }
        for (String file : List.of("observability/prometheus/alerts.yml", "observability/grafana/dashboards/baton.json")) {
            Matcher names = Pattern.compile("\\b(?:baton|gen_ai|http_server_requests)_[a-z_]+")
                    .matcher(read(zoo().getParent().getParent().resolve(file)));
            while (names.find()) {
                assertThat(published).as("%s names %s", file, names.group()).contains(names.group());
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void probesAndPrometheusAnswerWithoutCredentialsAndNothingElseIsExposed() {
        for (SpringServer server : List.of(memory, inference, gateway)) {
            WebClient anonymous = WebClient.create(server.baseUrl());
            for (String probe : List.of("/actuator/health/liveness", "/actuator/health/readiness")) {
                Map<String, Object> health = answer(anonymous.get().uri(probe).retrieve().bodyToMono(JSON), server, probe);
                assertThat(health).as("%s %s", server.baseUrl(), probe).isEqualTo(Map.of("status", "UP"));
            }
            // Status and the groups' names only: no component, no detail.
            assertThat(answer(anonymous.get().uri("/actuator/health").retrieve().bodyToMono(JSON), server, "/actuator/health"))
                    .isEqualTo(Map.of("status", "UP", "groups", List.of("liveness", "readiness")));
            assertThat(answer(Meters.client(server.baseUrl()).get().uri("/actuator/prometheus").retrieve()
                    .bodyToMono(String.class), server, "/actuator/prometheus")).contains("# TYPE jvm_memory_used_bytes gauge");
            for (String hidden : List.of("/actuator/env", "/actuator/beans", "/actuator/configprops", "/actuator/heapdump",
                    "/actuator/metrics", "/actuator/loggers", "/actuator/threaddump")) {
                HttpStatus status = answer(anonymous.get().uri(hidden).exchangeToMono(response ->
                        Mono.just(HttpStatus.valueOf(response.statusCode().value()))), server, hidden);
                assertThat(status).as("%s %s", server.baseUrl(), hidden).isEqualTo(HttpStatus.NOT_FOUND);
            }
        }
    }

    /**
     * {@code call}'s answer within 10 s, else a failure that names the call and shows what the
     * event loops of this JVM (every service's and every client's) were doing. Twice in CI one of
     * these calls got none: the server had stopped reading the keep-alive connection (Reactor Netty
     * before 1.3.8; KeepAliveConnectionTest, docs/reliability.md).
     */
    private static <T> T answer(Mono<T> call, SpringServer server, String path) {
        try {
            return call.block(Duration.ofSeconds(10));
        } catch (IllegalStateException timedOut) {
            StringBuilder loops = new StringBuilder();
            Thread.getAllStackTraces().forEach((thread, stack) -> {
                if (thread.getName().matches(".*(http|epoll|nio|parallel|boundedElastic).*")) {
                    loops.append('\n').append(thread.getName()).append(' ').append(thread.getState());
                    for (StackTraceElement frame : stack) {
                        loops.append("\n    at ").append(frame);
                    }
                }
            });
            throw new AssertionError("no answer within 10 s to GET " + server.baseUrl() + path + "; threads:" + loops,
                    timedOut);
        }
    }
}
