package io.baton.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.common.state.StateCodec;
import io.baton.common.state.StateContainer;
import io.baton.common.state.Tensor;
import io.baton.protocol.inference.HttpInferenceClient;
import io.baton.protocol.inference.InferenceClient;
import io.baton.gateway.segmenting.Segmenter;
import io.baton.gateway.segmenting.TextTokenizer;
import io.baton.protocol.problems.ProblemType;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The platform end to end ({@link Platform}): memory and inference as separate JVMs from their
 * jars, gateways in distributed mode, real HTTP between all three and a real Redis. A
 * 50,000-token passage of Moby Dick is summarized through {@code POST /v1/summaries}, with every
 * checkpoint seen in Redis as inference answers; the same passage again while inference is killed
 * and relaunched mid-document gives the same summary, the same answers per segment and the same
 * final state; a document ingested in three calls through two gateway replicas ends with the state
 * digest of one ingest; with inference cut off, the gateway's circuit breaker opens, answers 503
 * at once without calling, and closes once inference is back.
 */
class EndToEndIT {

    static final String MODEL = "gemma2-tiny";
    static final int TOKENS = 50_000;
    static final int SENTENCES = 5;
    /** Checkpoints the memory service keeps per document ({@code baton.retention.keep}, default). */
    static final int KEPT = 3;
    static final JsonMapper MAPPER = JsonMapper.builder().build();
    static final TypeReference<Map<String, Object>> JSON_MAP = new TypeReference<>() {
    };
    static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
    };
    static final ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>> EVENTS =
            new ParameterizedTypeReference<>() {
            };

    static String text;
    static Platform platform;
    /**
     * The gateway of the summaries: a relaunch of inference takes longer on 2 busy cores than the
     * default retry budget (about 20s) allows, so it retries up to 60 times, at most 2s apart. It
     * sends one segment of a document at a time: the tests read what was stored at each answer
     * (the head when segment n is answered is n, a crash loses exactly one answer), which is what
     * one segment in flight guarantees; {@link #withTwoSegmentsInFlightAnInferenceRestartChangesNothingEither}
     * runs the default, two.
     */
    static Platform.Gateway gateway;
    static Run stable;

    /**
     * One segment as inference answered it (seen by the proxy before the gateway got it) and what
     * Redis and the memory service held at that moment.
     */
    record Answer(String document, long segment, long tokens, List<?> tokenNll, List<?> sentenceVectors,
                  Map<String, String> head, boolean stored, boolean retired, byte[] checkpoint) {
    }

    /** One summary run: its document id, the progress events, the summary, the answers seen. */
    record Run(String document, List<Map<String, Object>> progress, Map<String, Object> summary,
               List<Answer> answers) {

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> sentences() {
            return (List<Map<String, Object>>) summary.get("sentences");
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> stats() {
            return (Map<String, Object>) summary.get("stats");
        }

        /** The last answer per segment, in segment order. */
        List<Answer> perSegment() {
            Map<Long, Answer> last = new TreeMap<>();
            answers.forEach(a -> last.put(a.segment(), a));
            return List.copyOf(last.values());
        }
    }

    @BeforeAll
    static void start() {
        long started = System.nanoTime();
        text = Passages.mobyDick(100_000, TOKENS);
        platform = Platform.start(MODEL);
        gateway = platform.gateway(patient(1));
        System.out.printf("e2e platform: memory, inference and a gateway up in %d ms%n",
                (System.nanoTime() - started) / 1_000_000);
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    /**
     * A gateway's settings that outlast a relaunch of inference (up to 60 retries, at most 2s
     * apart), with {@code segmentsInFlight} segments of a document at inference at once.
     */
    static Map<String, String> patient(int segmentsInFlight) {
        return Map.of("baton.inference.retries", "60", "baton.inference.retry-backoff", "100ms",
                "baton.inference.max-backoff", "2s", "baton.pipeline.segments-in-flight", Integer.toString(segmentsInFlight));
    }

    /**
     * {@code run} did the work of {@code reference}: what the user gets, the same summary (texts,
     * offsets and scores, exactly) and stats; underneath, for every segment (its last answer) the
     * same tokens, bit-identical token log-likelihoods and sentence vectors, and the same final state.
     */
    static void assertSameWork(Run run, Run reference) {
        int segments = reference.progress().size();
        assertThat(run.summary().get("summary")).isEqualTo(reference.summary().get("summary"));
        assertThat(run.sentences()).isEqualTo(reference.sentences());
        assertThat(run.stats().get("tokens")).isEqualTo(reference.stats().get("tokens"));
        assertThat(run.stats().get("segments")).isEqualTo(reference.stats().get("segments"));
        assertThat(run.progress()).hasSize(segments);
        List<Answer> again = run.perSegment();
        List<Answer> before = reference.perSegment();
        assertThat(again).hasSize(segments);
        for (int n = 0; n < segments; n++) {
            assertThat(again.get(n).tokens()).isEqualTo(before.get(n).tokens());
            assertThat(again.get(n).tokenNll()).as("token NLL of segment %d", n).isEqualTo(before.get(n).tokenNll());
            assertThat(again.get(n).sentenceVectors()).as("sentence vectors of segment %d", n)
                    .isEqualTo(before.get(n).sentenceVectors());
        }
        assertThat(tensors(again.get(segments - 1).checkpoint()))
                .isEqualTo(tensors(before.get(segments - 1).checkpoint()));
    }

    /** The summary of the passage with inference running throughout (computed once, shared). */
    static synchronized Run stableRun() {
        if (stable == null) {
            stable = summarize(gateway, text);
        }
        return stable;
    }

    @Test
    void aFiftyThousandTokenDocumentIsSummarizedAcrossTheServices() {
        long started = System.nanoTime();
        Run run = stableRun();
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        assertThat(bytes).isBetween(TOKENS - 3, TOKENS);
        long segments = segmentsOf(text);
        assertThat(segments).isGreaterThanOrEqualTo((TOKENS + 255) / 256);

        // What the user reads: the requested number of sentences, each verbatim at its offsets.
        List<Map<String, Object>> sentences = run.sentences();
        assertThat(sentences).hasSize(SENTENCES);
        int previousEnd = 0;
        List<String> collapsed = new ArrayList<>();
        for (Map<String, Object> sentence : sentences) {
            int start = ((Number) sentence.get("start")).intValue();
            int end = ((Number) sentence.get("end")).intValue();
            assertThat(start).as("in document order, not overlapping").isGreaterThanOrEqualTo(previousEnd);
            assertThat(end).isGreaterThan(start).isLessThanOrEqualTo(text.length());
            assertThat(sentence.get("text")).isEqualTo(text.substring(start, end));
            assertThat(((String) sentence.get("text")).split("\\s+")).hasSizeGreaterThanOrEqualTo(4);
            collapsed.add(((String) sentence.get("text")).replaceAll("\\s+", " "));
            previousEnd = end;
        }
        assertThat(run.summary().get("summary")).isEqualTo(String.join(" ", collapsed));
        assertThat(((Number) run.stats().get("tokens")).longValue()).isEqualTo(bytes);
        assertThat(((Number) run.stats().get("segments")).longValue()).isEqualTo(segments);
        assertThat(run.progress()).hasSize((int) segments);
        assertThat(run.progress().get((int) segments - 1)).containsEntry("estimated", false)
                .containsEntry("tokens", bytes).containsEntry("chars", text.length());

        // What was stored along the way: when inference answered segment n, the head in Redis was
        // n, with the tokens so far, after exactly n + 1 writes; checkpoint n was there and the
        // one K before it retired. Every segment was answered once.
        List<Answer> answers = run.answers();
        assertThat(answers).hasSize((int) segments);
        long tokens = 0;
        for (int n = 0; n < segments; n++) {
            Answer answer = answers.get(n);
            assertThat(answer.segment()).isEqualTo(n);
            assertThat(answer.tokens()).as("tokens after segment %d", n).isGreaterThan(tokens);
            tokens = answer.tokens();
            assertThat(answer.head()).as("head when segment %d was answered", n)
                    .containsEntry("segment", Integer.toString(n))
                    .containsEntry("tokens", Long.toString(tokens))
                    .containsEntry("version", Integer.toString(n + 1))
                    .containsEntry("model", MODEL);
            assertThat(answer.stored()).as("checkpoint %d in Redis", n).isTrue();
            assertThat(answer.retired()).as("checkpoint %d retired", n - KEPT).isTrue();
            assertThat(answer.sentenceVectors()).isNotEmpty();
        }
        assertThat(tokens).isEqualTo(bytes);
        StateContainer last = StateCodec.read(ByteBuffer.wrap(answers.get((int) segments - 1).checkpoint()));
        assertThat(last.metadata()).containsEntry("baton.tenant", platform.tenant())
                .containsEntry("baton.document", run.document())
                .containsEntry("baton.segment", Long.toString(segments - 1))
                .containsEntry("baton.tokens", Integer.toString(bytes))
                .containsEntry("baton.model", MODEL);

        // And nothing is left once the summary is there: the temporary document is deleted.
        assertThat(platform.keys()).noneMatch(key -> key.contains(":" + run.document() + "}"));
        assertThat(platform.redis().hexists("baton:{tenant:" + platform.tenant() + "}:docs", run.document())).isFalse();
        System.out.printf("e2e: %d tokens, %d segments, summary in %s ms (gateway stats), test %d ms%n", bytes, segments,
                run.stats().get("ms"), (System.nanoTime() - started) / 1_000_000);
    }

    @Test
    void killingAndRelaunchingInferenceMidDocumentChangesNothing() {
        long started = System.nanoTime();
        Run reference = stableRun();
        int segments = reference.progress().size();
        InferenceProxy proxy = gateway.proxy();
        long pid = platform.inference().pid();
        int dropped = proxy.dropped();
        int unreachable = proxy.unreachable();

        // Halfway through: inference answers segment k (checkpoint k stored), is killed before the
        // answer gets out, and a fresh JVM starts on its port; the gateway retries until it is up.
        int lost = segments / 2 - 1;
        proxy.onSegmentCall(proxy.segmentCalls() + lost + 1, platform::crashAndRelaunchInference);
        Run restarted;
        try {
            restarted = summarize(gateway, text);
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError("the summary across the restart failed; the relaunched inference's log ends: "
                    + platform.inference().tail(), e);
        }
        platform.inference().awaitHealthy();

        assertThat(proxy.dropped()).as("one answer lost to the crash").isEqualTo(dropped + 1);
        assertThat(proxy.unreachable()).as("calls the gateway retried while inference restarted")
                .isGreaterThan(unreachable);
        assertThat(platform.inference().pid()).as("a new inference JVM").isNotEqualTo(pid);

        // What the user gets and what was computed underneath: those of the undisturbed run.
        assertSameWork(restarted, reference);

        // The lost segment was answered twice (once by the killed JVM, once by the new one,
        // recomputed from checkpoint k-1) and stored once: one write per segment.
        assertThat(restarted.answers()).hasSize(segments + 1);
        assertThat(restarted.answers().get(lost + 1).segment()).isEqualTo(lost);
        List<Answer> again = restarted.perSegment();
        for (int n = 0; n < segments; n++) {
            assertThat(again.get(n).head()).as("head at segment %d", n)
                    .containsEntry("version", Integer.toString(n + 1));
        }
        assertThat(restarted.answers().get(lost).tokenNll()).isEqualTo(again.get(lost).tokenNll());
        System.out.printf("e2e restart: %d segments, answer of segment %d lost, %d calls refused while inference "
                        + "restarted, summary in %s ms, test %d ms%n", segments, lost,
                proxy.unreachable() - unreachable, restarted.stats().get("ms"), (System.nanoTime() - started) / 1_000_000);
    }

    @Test
    void withTwoSegmentsInFlightAnInferenceRestartChangesNothingEither() {
        long started = System.nanoTime();
        Run reference = stableRun();
        int segments = reference.progress().size();
        Platform.Gateway pipelined = platform.gateway(patient(2));
        InferenceProxy proxy = pipelined.proxy();
        long pid = platform.inference().pid();

        // Halfway through, inference is killed as it answers a segment, with the next one (sent
        // before that answer) running or stored behind it; the gateway resends what was lost.
        proxy.onSegmentCall(segments / 2, platform::crashAndRelaunchInference);
        Run restarted;
        try {
            restarted = summarize(pipelined, text);
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError("the pipelined summary across the restart failed; the relaunched inference's log "
                    + "ends: " + platform.inference().tail(), e);
        }
        platform.inference().awaitHealthy();
        assertThat(platform.inference().pid()).as("a new inference JVM").isNotEqualTo(pid);
        assertThat(proxy.dropped()).as("an answer lost to the crash").isEqualTo(1);
        assertThat(proxy.mostSegmentCallsAtOnce()).as("segments of the document at inference at once").isEqualTo(2);

        // The same summary, and underneath the same answer for every segment and the same final
        // state as one segment at a time without a crash.
        assertSameWork(restarted, reference);
        System.out.printf("e2e pipelined restart: %d segments, %d calls, %d refused while inference restarted, "
                        + "summary in %s ms (one at a time, undisturbed: %s ms), test %d ms%n", segments,
                proxy.segmentCalls(), proxy.unreachable(), restarted.stats().get("ms"), reference.stats().get("ms"),
                (System.nanoTime() - started) / 1_000_000);
    }

    @Test
    void aDocumentIngestedInThreeCallsThroughTwoGatewaysEndsInTheStateOfOneIngest() {
        long started = System.nanoTime();
        Platform.Gateway replica = platform.gateway(Map.of());
        String document = text.substring(0, 20_000);
        int tokens = document.getBytes(StandardCharsets.UTF_8).length;
        String run = Long.toString(System.nanoTime(), 36);

        Map<String, Object> whole = write(gateway, "/v1/documents", Map.of("text", document, "id", "whole-" + run), 201);
        List<Map<String, Object>> written = list(whole.get("written"));
        int count = written.size();
        assertThat(count).isGreaterThanOrEqualTo(6);
        int first = ((Number) written.get(count / 3).get("end")).intValue();
        int second = ((Number) written.get(2 * count / 3).get("end")).intValue();

        // The same text in three calls, cut where segments of the one ingest end, the middle one
        // through another gateway replica: the context carries across calls and replicas.
        String id = "parts-" + run;
        write(gateway, "/v1/documents", Map.of("text", document.substring(0, first), "id", id), 201);
        write(replica, "/v1/documents/" + id + "/append", Map.of("text", document.substring(first, second)), 200);
        Map<String, Object> last = write(gateway, "/v1/documents/" + id + ":append",
                Map.of("text", document.substring(second)), 200);

        Map<String, Object> one = map(whole.get("document"));
        Map<String, Object> three = map(last.get("document"));
        assertThat((String) three.get("stateDigest")).matches("sha256:[0-9a-f]{64}").isEqualTo(one.get("stateDigest"));
        assertThat(three.get("tokens")).isEqualTo(one.get("tokens")).isEqualTo(tokens);
        assertThat(three.get("segments")).isEqualTo(one.get("segments")).isEqualTo(count);
        assertThat(three.get("version")).as("one write per segment").isEqualTo(count);
        assertThat(replica.client().get().uri("/v1/documents/{id}", id).retrieve().bodyToMono(JSON)
                .block(Duration.ofSeconds(30))).isEqualTo(three);
        assertThat(memoryHead(id)).containsEntry("segment", count - 1).containsEntry("tokens", tokens);
        System.out.printf("e2e appends: %d segments, %d tokens, test %d ms%n", count, tokens,
                (System.nanoTime() - started) / 1_000_000);
    }

    @Test
    void theCircuitBreakerAnswersAtOnceWhileInferenceIsDownAndClosesWhenItIsBack() {
        long started = System.nanoTime();
        // No retries; the breaker opens when both of the last two calls found inference unavailable.
        Platform.Gateway breaking = platform.gateway(Map.of("baton.inference.retries", "0",
                "baton.inference.circuit-breaker.failure-rate-percent", "100",
                "baton.inference.circuit-breaker.window", "2", "baton.inference.circuit-breaker.minimum-calls", "2",
                "baton.inference.circuit-breaker.open-for", "1s",
                "baton.inference.circuit-breaker.half-open-calls", "1", "baton.pipeline.segments-in-flight", "1"));
        InferenceProxy proxy = breaking.proxy();
        CircuitBreaker breaker = ((HttpInferenceClient) breaking.server().bean(InferenceClient.class)).guard().breaker();
        String small = text.substring(0, 2_000);
        assertThat(post(breaking, small).getStatusCode().value()).isEqualTo(200);

        // Inference unreachable: each summary tries once and fails; after two the breaker opens.
        proxy.cutOff(true);
        for (int i = 0; i < 2; i++) {
            assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
            ResponseEntity<Map<String, Object>> down = post(breaking, small);
            assertThat(down.getStatusCode().value()).isEqualTo(503);
            assertThat(down.getBody()).containsEntry("type", "urn:baton:problem:inference-unavailable")
                    .doesNotContainKey("circuitBreaker");
            // What leaves the platform: the catalogue's text and the request's id, no internal URL.
            assertThat(down.getBody()).containsEntry("detail", ProblemType.INFERENCE_UNAVAILABLE.publicText())
                    .containsEntry("requestId", down.getHeaders().getFirst("X-Request-Id"));
        }
        assertThat(proxy.refused()).isEqualTo(2);
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);

        // Open: the fallback answers 503 without calling inference at all.
        int calls = proxy.segmentCalls();
        ResponseEntity<Map<String, Object>> open = post(breaking, small);
        assertThat(open.getStatusCode().value()).isEqualTo(503);
        assertThat(open.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(open.getBody()).containsEntry("type", "urn:baton:problem:inference-unavailable")
                .containsEntry("circuitBreaker", "open");
        assertThat(proxy.segmentCalls()).as("no call while open").isEqualTo(calls);

        // Back: after open-for a trial call goes through, succeeds, and the breaker closes.
        proxy.cutOff(false);
        Awaitility.await("a summary once inference is back").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> post(breaking, small).getStatusCode().value() == 200);
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(post(breaking, small).getBody()).containsKey("summary");
        System.out.printf("e2e breaker: test %d ms%n", (System.nanoTime() - started) / 1_000_000);
    }

    @Test
    void aDeadlinePassingWhileInferenceIsDownEndsTheRequestBeforeItsRetriesAreSpent() {
        // This gateway retries a segment call 60 times (minutes of backoff); the caller's deadline
        // of 3 s (X-Baton-Time-Left-Ms) bounds them: 504 deadline-exceeded, and no call after it.
        InferenceProxy proxy = gateway.proxy();
        proxy.cutOff(true);
        try {
            ResponseEntity<Map<String, Object>> answer = gateway.client().post().uri("/v1/summaries")
                    .contentType(MediaType.APPLICATION_JSON).header("X-Baton-Time-Left-Ms", "3000")
                    .bodyValue(Map.of("text", text.substring(0, 5_000), "sentences", 2))
                    .exchangeToMono(response -> response.toEntity(new ParameterizedTypeReference<Map<String, Object>>() {
                    }))
                    .block(Duration.ofMinutes(2));
            assertThat(answer.getStatusCode().value()).isEqualTo(504);
            assertThat(answer.getBody()).containsEntry("type", "urn:baton:problem:deadline-exceeded")
                    .containsEntry("status", 504);
            int[] seen = {-1};   // a call sent just before the deadline reaches the proxy: wait until none comes
            Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(10))
                    .until(() -> seen[0] == (seen[0] = proxy.refused()));
            int refused = seen[0];
            assertThat(refused).as("the gateway retried while it had time").isGreaterThan(1);
            Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .until(() -> proxy.refused() == refused);
        } finally {
            proxy.cutOff(false);
        }
    }

    @Test
    void aSummaryWhoseDeadlinePassedAfterSegmentsWereStoredLeavesNothingBehind() {
        // Two segments are stored, then inference is gone and the caller's 3 s run out: the
        // clean-up of the summary's temporary document is not the request's work and must still
        // reach the memory service after the deadline.
        java.util.Set<String> before = new java.util.HashSet<>(summaryKeys());
        Platform.Gateway fresh = platform.gateway(Map.of());
        InferenceProxy proxy = fresh.proxy();
        proxy.onSegmentCall(3, () -> proxy.cutOff(true));
        try {
            ResponseEntity<Map<String, Object>> answer = fresh.client().post().uri("/v1/summaries")
                    .contentType(MediaType.APPLICATION_JSON).header("X-Baton-Time-Left-Ms", "3000")
                    .bodyValue(Map.of("text", text.substring(0, 5_000), "sentences", 2))
                    .exchangeToMono(response -> response.toEntity(new ParameterizedTypeReference<Map<String, Object>>() {
                    }))
                    .block(Duration.ofMinutes(2));
            assertThat(answer.getStatusCode().value()).isEqualTo(504);
        } finally {
            proxy.cutOff(false);
        }
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(summaryKeys()).isSubsetOf(before));
    }

    private List<String> summaryKeys() {
        return platform.keys().stream().filter(key -> key.contains(":summary-")).toList();
    }

    @Test
    void aFailureAfterTheStreamBeganEndsItWithAProblemEvent() {
        // No retries: the third segment call finds inference gone, after two progress events.
        Platform.Gateway failing = platform.gateway(Map.of("baton.inference.retries", "0"));
        InferenceProxy proxy = failing.proxy();
        proxy.onSegmentCall(3, () -> proxy.cutOff(true));
        try {
            List<ServerSentEvent<Map<String, Object>>> events = failing.client().post().uri("/v1/summaries")
                    .contentType(MediaType.APPLICATION_JSON).accept(MediaType.TEXT_EVENT_STREAM)
                    .bodyValue(Map.of("text", text.substring(0, 5_000), "sentences", 2))
                    .retrieve().bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>>() {
                    })
                    .collectList().block(Duration.ofMinutes(2));
            assertThat(events).extracting(ServerSentEvent::event).containsExactly("progress", "progress", "problem");
            assertThat(events.get(2).data()).containsEntry("type", "urn:baton:problem:inference-unavailable")
                    .containsEntry("status", 503).containsEntry("instance", "/v1/summaries");
        } finally {
            proxy.cutOff(false);
        }
    }

    @Test
    void aGenerationThatBreaksOffEndsWithAProblemEvent() {
        Platform.Gateway failing = platform.gateway(Map.of("baton.inference.retries", "0"));
        String id = "broken-generation-" + UUID.randomUUID().toString().substring(0, 8);
        write(failing, "/v1/documents", Map.of("text", text.substring(0, 2_000), "id", id), 201);
        // Inference's stream is passed on up to its second token event, then the connection closes.
        failing.proxy().breakNextGeneration(2);
        List<ServerSentEvent<Map<String, Object>>> events = generate(failing, id);
        assertThat(events).extracting(ServerSentEvent::event).containsExactly("token", "token", "problem");
        assertThat(events.get(2).data()).containsEntry("type", "urn:baton:problem:inference-unavailable")
                .containsEntry("status", 503).containsEntry("instance", "/v1/documents/" + id + ":generate");

        // The next generation is whole: token events, then done.
        List<ServerSentEvent<Map<String, Object>>> whole = generate(failing, id);
        assertThat(whole).extracting(ServerSentEvent::event).contains("token").endsWith("done").doesNotContain("problem");
    }

    // ------------------------------------------------------------------------------------------

    /** The events of 8 tokens generated from document {@code id} through {@code through}. */
    static List<ServerSentEvent<Map<String, Object>>> generate(Platform.Gateway through, String id) {
        return through.client().post().uri("/v1/documents/{id}:generate", id)
                .contentType(MediaType.APPLICATION_JSON).accept(MediaType.TEXT_EVENT_STREAM)
                .bodyValue(Map.of("prompt", "\n\nSummary:", "maxTokens", 8))
                .retrieve().bodyToFlux(EVENTS).collectList().block(Duration.ofMinutes(2));
    }

    /**
     * Summarizes {@code document} through the SSE variant of {@code POST /v1/summaries}, recording
     * each segment call inference answered (through the gateway's proxy) together with the
     * document's head and checkpoints in Redis and its newest checkpoint in the memory service at
     * that moment.
     */
    static Run summarize(Platform.Gateway through, String document) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("text", document);
        request.put("model", MODEL);
        request.put("sentences", SENTENCES);
        List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
        through.proxy().observe((body, status, response) -> {
            if (status == 200) {
                answers.add(answer(MAPPER.readValue(response, JSON_MAP)));
            }
        });
        String id = null;
        List<Map<String, Object>> progress = new ArrayList<>();
        Map<String, Object> summary = null;
        try {
            Iterable<ServerSentEvent<Map<String, Object>>> events = through.client().post()
                    .uri("/v1/summaries").contentType(MediaType.APPLICATION_JSON).accept(MediaType.TEXT_EVENT_STREAM)
                    .bodyValue(request).retrieve().bodyToFlux(EVENTS).toIterable();
            for (ServerSentEvent<Map<String, Object>> event : events) {
                assertThat(summary).as("nothing after the summary").isNull();
                if ("progress".equals(event.event())) {
                    Map<String, Object> data = event.data();
                    id = id == null ? (String) data.get("document") : id;
                    assertThat(data).containsEntry("document", id).containsEntry("segment", progress.size() + 1);
                    progress.add(data);
                } else {
                    assertThat(event.event()).isEqualTo("summary");
                    summary = event.data();
                }
            }
        } finally {
            through.proxy().observe(null);
        }
        assertThat(summary).as("a summary event").isNotNull();
        String document0 = id;
        assertThat(answers).allSatisfy(a -> assertThat(a.document()).isEqualTo(document0));
        return new Run(id, progress, summary, List.copyOf(answers));
    }

    /** Reads what Redis and the memory service hold for the segment inference just answered. */
    static Answer answer(Map<String, Object> response) {
        String document = (String) response.get("document");
        long n = ((Number) response.get("segment")).longValue();
        Map<String, String> head = platform.redis().hgetall(platform.headKey(document));
        boolean stored = platform.redis().exists(platform.checkpointKey(document, n)) == 1;
        boolean retired = n < KEPT || platform.redis().exists(platform.checkpointKey(document, n - KEPT)) == 0;
        byte[] checkpoint = platform.memoryClient().get()
                .uri("/v1/documents/{doc}/checkpoints/{n}", document, n).header("X-Baton-Tenant", platform.tenant())
                .accept(MediaType.APPLICATION_OCTET_STREAM).retrieve().bodyToMono(byte[].class)
                .block(Duration.ofSeconds(30));
        return new Answer(document, n, ((Number) response.get("tokens")).longValue(), (List<?>) response.get("tokenNll"),
                (List<?>) response.get("sentenceVectors"), head, stored, retired, checkpoint);
    }

    static ResponseEntity<Map<String, Object>> post(Platform.Gateway through, String document) {
        return through.client().post().uri("/v1/summaries").contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.APPLICATION_JSON, MediaType.APPLICATION_PROBLEM_JSON)
                .bodyValue(Map.of("text", document, "model", MODEL, "sentences", 2))
                .exchangeToMono(response -> response.toEntity(JSON)).block(Duration.ofSeconds(120));
    }

    /** The number of segments the gateway's segmenter makes of {@code document} at the default length. */
    static long segmentsOf(String document) {
        Path zoo = Path.of(System.getProperty("baton.zoo.dir", "../models/zoo"));
        try (TextTokenizer tokenizer = TextTokenizer.load(zoo.resolve(MODEL))) {
            Iterator<?> segments = new Segmenter(tokenizer, Segmenter.DEFAULT_MAX_TOKENS).segments(document);
            long count = 0;
            for (; segments.hasNext(); segments.next()) {
                count++;
            }
            return count;
        }
    }

    static Map<String, Object> memoryHead(String document) {
        return platform.memoryClient().get().uri("/v1/documents/{doc}/head", document)
                .header("X-Baton-Tenant", platform.tenant()).retrieve().bodyToMono(JSON).block(Duration.ofSeconds(30));
    }

    /** A checkpoint's tensors (names, types, shapes, bytes), without its metadata (which names the document). */
    static List<Tensor> tensors(byte[] checkpoint) {
        return List.copyOf(StateCodec.read(ByteBuffer.wrap(checkpoint)).tensors());
    }

    /** A documents API call through {@code through} that must answer {@code status}; its JSON. */
    static Map<String, Object> write(Platform.Gateway through, String path, Map<String, Object> body, int status) {
        ResponseEntity<Map<String, Object>> response = through.client().post().uri(path)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchangeToMono(r -> r.toEntity(JSON)).block(Duration.ofMinutes(5));
        assertThat(response.getStatusCode().value()).as("%s: %s", path, response.getBody()).isEqualTo(status);
        return response.getBody();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object json) {
        return (Map<String, Object>) json;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Object json) {
        return (List<Map<String, Object>>) json;
    }
}
