package io.baton.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.common.state.StateCodec;
import io.baton.common.state.StateContainer;
import io.baton.common.state.Tensor;
import io.baton.gateway.inference.HttpInferenceClient;
import io.baton.gateway.inference.InferenceClient;
import io.baton.gateway.segmenting.Segmenter;
import io.baton.gateway.segmenting.TextTokenizer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The platform end to end ({@link Platform}): memory and inference as separate JVMs from their
 * jars, the gateway in distributed mode, real HTTP between all three and a real Redis. A
 * 50,000-token passage of Moby Dick is summarized through {@code POST /v1/summaries}; the same
 * passage again while inference is killed and relaunched mid-document gives the same summary and
 * the same final state; with inference cut off, the gateway's circuit breaker opens, answers 503
 * at once without calling, and closes once inference is back.
 */
class EndToEndIT {

    static final String MODEL = "gemma2-tiny";
    static final int TOKENS = 50_000;
    static final int SENTENCES = 5;
    /** Checkpoints the memory service keeps per document ({@code baton.retention.keep}, default). */
    static final int KEPT = 3;
    static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
    };
    static final ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>> EVENTS =
            new ParameterizedTypeReference<>() {
            };

    static String text;
    static Platform platform;
    /**
     * The gateway of the summaries: a relaunch of inference takes longer on 2 busy cores than the
     * default retry budget (about 20s) allows, so it retries up to 60 times, at most 2s apart.
     */
    static Platform.Gateway gateway;
    static Run stable;

    /** One summary run: its document id, the progress events seen, and the summary. */
    record Run(String document, List<Map<String, Object>> progress, Map<String, Object> summary) {

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> sentences() {
            return (List<Map<String, Object>>) summary.get("sentences");
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> stats() {
            return (Map<String, Object>) summary.get("stats");
        }
    }

    @BeforeAll
    static void start() {
        long started = System.nanoTime();
        text = SharedData.mobyDick(100_000, TOKENS);
        platform = Platform.start(MODEL);
        gateway = platform.gateway(Map.of("baton.inference.retries", "60",
                "baton.inference.retry-backoff", "100ms", "baton.inference.max-backoff", "2s"));
        System.out.printf("e2e platform: memory, inference and a gateway up in %d ms%n",
                (System.nanoTime() - started) / 1_000_000);
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    /** The summary of the passage with inference running throughout (computed once, shared). */
    static synchronized Run stableRun() {
        if (stable == null) {
            stable = summarize(gateway, text);
        }
        return stable;
    }

    @Test
    void aFiftyThousandTokenDocumentIsSummarizedAcrossTheServices() throws Exception {
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

        // What was stored: one write per segment, the last checkpoints kept, older ones retired.
        Map<String, String> head = platform.redis().hgetall(platform.headKey(run.document()));
        assertThat(head).containsEntry("segment", Long.toString(segments - 1))
                .containsEntry("tokens", Integer.toString(bytes))
                .containsEntry("version", Long.toString(segments))
                .containsEntry("model", MODEL);
        for (long n = segments - KEPT; n < segments; n++) {
            assertThat(platform.redis().exists(platform.checkpointKey(run.document(), n))).as("checkpoint %d", n)
                    .isEqualTo(1L);
        }
        assertThat(platform.redis().exists(platform.checkpointKey(run.document(), segments - KEPT - 1))).isZero();

        // The memory service tells the same, and its last checkpoint is this document's state.
        Map<String, Object> memoryHead = memoryHead(run.document());
        assertThat(memoryHead).containsEntry("segment", (int) segments - 1).containsEntry("tokens", bytes)
                .containsEntry("version", (int) segments);
        StateContainer last = checkpoint(run.document(), segments - 1);
        assertThat(last.metadata()).containsEntry("baton.tenant", platform.tenant())
                .containsEntry("baton.document", run.document())
                .containsEntry("baton.segment", Long.toString(segments - 1))
                .containsEntry("baton.tokens", Integer.toString(bytes))
                .containsEntry("baton.model", MODEL);
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
        proxy.onSegmentCall(proxy.segmentCalls() + segments / 2, platform::crashAndRelaunchInference);
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

        assertThat(restarted.summary().get("summary")).isEqualTo(reference.summary().get("summary"));
        assertThat(restarted.sentences()).isEqualTo(reference.sentences());   // texts, offsets and scores, exactly
        assertThat(restarted.stats().get("tokens")).isEqualTo(reference.stats().get("tokens"));
        assertThat(restarted.stats().get("segments")).isEqualTo(reference.stats().get("segments"));
        assertThat(restarted.progress()).hasSize(segments);

        // The lost segment was recomputed from the checkpoint before it and stored once: the
        // document took one write per segment and ends in exactly the state of the stable run.
        assertThat(memoryHead(restarted.document())).containsEntry("version", segments)
                .containsEntry("segment", segments - 1);
        assertThat(tensors(checkpoint(restarted.document(), segments - 1)))
                .isEqualTo(tensors(checkpoint(reference.document(), segments - 1)));
        System.out.printf("e2e restart: %d segments, answer of segment %d lost, %d calls refused while inference "
                        + "restarted, summary in %s ms, test %d ms%n", segments, segments / 2 - 1,
                proxy.unreachable() - unreachable, restarted.stats().get("ms"), (System.nanoTime() - started) / 1_000_000);
    }

    @Test
    void theCircuitBreakerAnswersAtOnceWhileInferenceIsDownAndClosesWhenItIsBack() {
        long started = System.nanoTime();
        // No retries; the breaker opens when both of the last two calls found inference unavailable.
        Platform.Gateway breaking = platform.gateway(Map.of("baton.inference.retries", "0",
                "baton.inference.circuit-breaker.failure-rate-percent", "100",
                "baton.inference.circuit-breaker.window", "2", "baton.inference.circuit-breaker.minimum-calls", "2",
                "baton.inference.circuit-breaker.open-for", "1s",
                "baton.inference.circuit-breaker.half-open-calls", "1"));
        InferenceProxy proxy = breaking.proxy();
        CircuitBreaker breaker = ((HttpInferenceClient) breaking.server().bean(InferenceClient.class)).breaker();
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

    // ------------------------------------------------------------------------------------------

    /**
     * Summarizes {@code document} through the SSE variant of {@code POST /v1/summaries}. On every
     * progress event, the document's head in Redis has already reached that segment: each
     * checkpoint is stored before the gateway reports the segment done.
     */
    static Run summarize(Platform.Gateway through, String document) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("text", document);
        request.put("model", MODEL);
        request.put("sentences", SENTENCES);
        Iterable<ServerSentEvent<Map<String, Object>>> events = WebClient.create(through.baseUrl()).post()
                .uri("/v1/summaries").contentType(MediaType.APPLICATION_JSON).accept(MediaType.TEXT_EVENT_STREAM)
                .bodyValue(request).retrieve().bodyToFlux(EVENTS).toIterable();
        String id = null;
        List<Map<String, Object>> progress = new ArrayList<>();
        Map<String, Object> summary = null;
        for (ServerSentEvent<Map<String, Object>> event : events) {
            assertThat(summary).as("nothing after the summary").isNull();
            if ("progress".equals(event.event())) {
                Map<String, Object> data = event.data();
                id = id == null ? (String) data.get("document") : id;
                assertThat(data).containsEntry("document", id)
                        .containsEntry("segment", progress.size() + 1);
                long done = ((Number) data.get("segment")).longValue();
                long tokens = ((Number) data.get("tokens")).longValue();
                Map<String, String> head = platform.redis().hgetall(platform.headKey(id));
                assertThat(Long.parseLong(head.get("segment"))).as("stored head at progress %d", done)
                        .isGreaterThanOrEqualTo(done - 1);
                assertThat(Long.parseLong(head.get("tokens"))).isGreaterThanOrEqualTo(tokens);
                progress.add(data);
            } else {
                assertThat(event.event()).isEqualTo("summary");
                summary = event.data();
            }
        }
        assertThat(summary).as("a summary event").isNotNull();
        return new Run(id, progress, summary);
    }

    static ResponseEntity<Map<String, Object>> post(Platform.Gateway through, String document) {
        return WebClient.create(through.baseUrl()).post().uri("/v1/summaries").contentType(MediaType.APPLICATION_JSON)
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
        return WebClient.create(platform.memory().baseUrl()).get().uri("/v1/documents/{doc}/head", document)
                .header("X-Baton-Tenant", platform.tenant()).retrieve().bodyToMono(JSON).block(Duration.ofSeconds(30));
    }

    static StateContainer checkpoint(String document, long n) {
        byte[] bytes = WebClient.create(platform.memory().baseUrl()).get()
                .uri("/v1/documents/{doc}/checkpoints/{n}", document, n).header("X-Baton-Tenant", platform.tenant())
                .accept(MediaType.APPLICATION_OCTET_STREAM).retrieve().bodyToMono(byte[].class)
                .block(Duration.ofSeconds(30));
        return StateCodec.read(ByteBuffer.wrap(bytes));
    }

    /** A checkpoint's tensors (names, types, shapes, bytes), without its metadata (which names the document). */
    static List<Tensor> tensors(StateContainer container) {
        return List.copyOf(container.tensors());
    }
}
