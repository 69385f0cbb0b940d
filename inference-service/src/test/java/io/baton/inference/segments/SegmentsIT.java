package io.baton.inference.segments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OrtSession;
import io.baton.common.testing.DataFiles;
import io.baton.common.testing.TestServers;
import io.baton.inference.models.DocumentState;
import io.baton.inference.models.FloatTensor;
import io.baton.inference.models.SegmentModel;
import io.baton.inference.models.SegmentOutput;
import io.baton.inference.runtime.OnnxScheduler;
import io.baton.inference.state.CheckpointId;
import io.baton.inference.state.CheckpointOrigin;
import io.baton.inference.state.Checkpoints;
import io.baton.inference.state.StateCache;
import io.baton.inference.testing.InferenceServer;
import io.baton.inference.testing.MemoryServiceProcess;
import io.baton.protocol.access.ServiceToken;
import io.baton.protocol.client.ClientSettings;
import io.baton.protocol.inference.SegmentRequest;
import io.baton.protocol.inference.SegmentResponse;
import io.baton.protocol.memory.HttpMemoryClient;
import io.baton.protocol.memory.Written;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.DoubleStream;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The inference service end to end: real HTTP to the real memory service (a separate JVM) on a
 * real Redis, every zoo model, a 1,500-token text of Moby Dick processed segment by segment,
 * compared with one pass over the whole text. Also with two instances taking turns, with the
 * instance restarted between segments (state only in Redis), with eight documents at once, with
 * bad segments, and with the memory service down (circuit breaker); and, through the service bean,
 * with pipelined segments joining the batch right after their predecessors'. Memory and inference
 * require the service token, as deployed.
 */
class SegmentsIT {

    static final double TOLERANCE = 1e-4;
    static final int TOKENS = 1500;
    static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
    };

    /** The platform's service token: memory and inference require it, inference and the test send it. */
    static final String TOKEN = UUID.randomUUID().toString().replace("-", "");

    static MemoryServiceProcess memory;
    static InferenceServer first;
    static InferenceServer second;
    static long[] text;

    @BeforeAll
    static void start() throws IOException {
        memory = MemoryServiceProcess.start(MemoryServiceProcess.freePort(), TestServers.redisUrl(), TOKEN);
        first = InferenceServer.start(settings(memory.baseUrl()));
        second = InferenceServer.start(settings(memory.baseUrl()));
        text = mobyDick(60_000, TOKENS);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {second, first, memory}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                System.err.println("closing " + c + ": " + e);
            }
        }
    }

    /**
     * An inference instance's settings: the memory service at {@code memoryUrl}, the service token,
     * followers' puts ahead of their predecessor's answer (off by default),
     * where the states live between segments: {@code baton.onnx.resident-states} as the system property
     * {@code baton.test.resident-states} says (module inference-ffm runs this suite with {@code on}), else
     * the default, and where the sentence vectors are pooled: {@code baton.onnx.sentence-means} as
     * {@code baton.test.sentence-means} says (inference-ffm: {@code runtime}, as on CUDA), else the default.
     */
    static Map<String, String> settings(String memoryUrl) {
        return Map.of("baton.memory.url", memoryUrl, "baton.service-token", TOKEN, "baton.segments.put-ahead-wait", "1s",
                "baton.onnx.resident-states", System.getProperty("baton.test.resident-states", "auto"),
                "baton.onnx.sentence-means", System.getProperty("baton.test.sentence-means", "auto"));
    }

    /** A client of the memory service itself, with the service token. */
    static WebClient memoryClient() {
        return WebClient.builder().baseUrl(memory.baseUrl()).defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN)
                .build();
    }

    static Stream<String> models() {
        return Stream.of("conv_attention-tiny", "gemma2-tiny", "jamba-tiny", "linear_attention-tiny",
                "longformer-tiny", "transformer_xl-tiny", "universal-tiny");
    }

    @ParameterizedTest
    @MethodSource("models")
    void twoInstancesTakingTurnsMatchTheWholeDocument(String model) throws Exception {
        int[] lengths = {200, 200, 200, 200, 200, 200, 200, 100};
        String tenant = tenant();
        String document = "turns-" + model;
        Results got = process(tenant, document, model, lengths, i -> (i % 2 == 0 ? first : second).client());
        assertMatchesOnePass(model, lengths, got);
    }

    @ParameterizedTest
    @MethodSource("models")
    void restartingBetweenSegmentsMatchesTheWholeDocument(String model) throws Exception {
        int[] lengths = {500, 500, 500};
        String tenant = tenant();
        List<InferenceServer> started = new ArrayList<>();
        try {
            Results got = process(tenant, "restarts-" + model, model, lengths, i -> {
                started.forEach(InferenceServer::close);
                started.clear();
                started.add(InferenceServer.start(settings(memory.baseUrl())));
                return started.get(0).client();
            });
            assertMatchesOnePass(model, lengths, got);
        } finally {
            started.forEach(InferenceServer::close);
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void pipelinedSegmentsMatchTheWholeDocument(String model) throws Exception {
        int[] lengths = {250, 250, 250, 250, 250, 250};
        double followed = pipelined(first, "followed");
        long waited = predecessorWaits(first);
        double ahead = putAhead(first, "stored");
        Results got = processPipelined(tenant(), "pipelined-" + model, model, lengths, text, first.client());
        assertMatchesOnePass(model, lengths, got);
        double followers = pipelined(first, "followed") - followed;
        assertThat(followers).as("segments that ran from their predecessor while it was being stored")
                .isGreaterThanOrEqualTo(1);
        assertThat(predecessorWaits(first) - waited)
                .as("answers whose put waited for their predecessor (Server-Timing predecessor)")
                .isGreaterThanOrEqualTo((long) followers);
        assertThat(putAhead(first, "stored") - ahead)
                .as("followers' checkpoints put before their predecessor's put was answered, and stored so")
                .isGreaterThanOrEqualTo(1);
    }

    /** Followers' puts sent ahead of their predecessor's answer, by outcome ({@code baton.segment.put.ahead}). */
    static double putAhead(InferenceServer server, String outcome) {
        var counter = server.bean(MeterRegistry.class).find("baton.segment.put.ahead").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    /** Segments this instance answered whose put waited for their predecessor's ({@code step="predecessor"}). */
    static long predecessorWaits(InferenceServer server) {
        return server.bean(MeterRegistry.class).get("baton.segment.duration").tag("step", "predecessor").timer().count();
    }

    @Test
    void aSegmentThatOvertakesItsPredecessorWaitsForIt() throws Exception {
        String model = "jamba-tiny";
        int[] lengths = {500, 500, 500};
        String tenant = tenant();
        String document = "overtaken";
        ResponseEntity<Map<String, Object>> zero = post(first.client(), tenant, segmentBody(document, model, lengths, text, 0));
        // Segment 2 arrives first: neither 1 nor its checkpoint exists yet, and it waits for 1.
        Mono<ResponseEntity<Map<String, Object>>> two = first.client().post().uri("/v1/segments")
                .header("X-Baton-Tenant", tenant).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(segmentBody(document, model, lengths, text, 2)).exchangeToMono(r -> r.toEntity(JSON)).cache();
        two.subscribe();
        // segment 1 only once segment 2 is being answered (the instance's one request in flight)
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> activeRequests(first) == 1);
        ResponseEntity<Map<String, Object>> one = post(first.client(), tenant, segmentBody(document, model, lengths, text, 1));
        assertMatchesOnePass(model, lengths, results(List.of(zero, one, two.block(Duration.ofSeconds(60)))));
        assertThat(memoryHead(tenant, document).getBody()).containsEntry("segment", 2);
    }

    @Test
    void aFollowerOfASegmentNotStoredAsItsStateContinuesFromTheStoredCheckpoint() throws Exception {
        String model = "gemma2-tiny";
        String tenant = tenant();
        String document = "stored-elsewhere";
        long[] zero = slice(text, 0, 100);
        long[] one = slice(text, 100, 100);
        long[] two = slice(text, 200, 100);
        Path folder = Path.of(System.getProperty("baton.zoo.dir", "../models/zoo")).resolve(model);
        HttpMemoryClient memory = memoryService();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel reference = SegmentModel.load(folder, options)) {
            DocumentState after0 = reference.run(zero, reference.initialState(1)).next();
            String digest0 = digest(post(first.client(), tenant, request(document, 0, model, zero)));
            // Checkpoint 1 as an earlier attempt claims to have stored it (same parent, same tokens),
            // but another state: segment 1 answers with it and does not keep its own, so segment 2,
            // sent before 1 is answered, must not continue from what 1 computed.
            DocumentState stored1 = reference.run(slice(text, 1_300, 100), after0).next();
            memory.put(tenant, document, 1, Checkpoints.encode(reference, new CheckpointId(tenant, document, 1), stored1,
                    CheckpointOrigin.of(digest0, one)), null).block(Duration.ofSeconds(30));
            List<ResponseEntity<Map<String, Object>>> answers = Flux.just(request(document, 1, model, one),
                            request(document, 2, model, two))
                    .flatMapSequential(body -> first.client().post().uri("/v1/segments").header("X-Baton-Tenant", tenant)
                            .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchangeToMono(r -> r.toEntity(JSON)))
                    .collectList().block(Duration.ofSeconds(60));
            assertThat(answers.get(0).getStatusCode().value()).as("%s", answers.get(0).getBody()).isEqualTo(200);
            assertThat(answers.get(1).getStatusCode().value()).as("%s", answers.get(1).getBody()).isEqualTo(200);

            double[] fromStored = Readouts.tokenNll(reference.run(two, stored1).logits(), two, -1);
            double[] fromComputed = Readouts.tokenNll(reference.run(two, reference.run(one, after0).next()).logits(), two, -1);
            List<?> got = (List<?>) answers.get(1).getBody().get("tokenNll");
            double worstStored = 0;
            double worstComputed = 0;
            for (int i = 0; i < fromStored.length; i++) {
                worstStored = Math.max(worstStored, Math.abs(((Number) got.get(i)).doubleValue() - fromStored[i]));
                worstComputed = Math.max(worstComputed, Math.abs(((Number) got.get(i)).doubleValue() - fromComputed[i]));
            }
            assertThat(worstStored).as("segment 2 from the stored checkpoint 1").isLessThanOrEqualTo(TOLERANCE);
            assertThat(worstComputed).as("segment 2 not from the state segment 1 computed").isGreaterThan(100 * TOLERANCE);
            assertThat(memoryHead(tenant, document).getBody()).containsEntry("segment", 2);
        }
    }

    /** The project's own client of the memory service (no retries), with the service token. */
    static HttpMemoryClient memoryService() {
        return HttpMemoryClient.create(new ClientSettings(memory.baseUrl(), Duration.ofSeconds(30), 0,
                Duration.ofMillis(10), null, null, null).withToken(ServiceToken.of(TOKEN)), 64 * 1024 * 1024);
    }

    /** HTTP requests the instance is answering now ({@code http.server.requests.active}). */
    static int activeRequests(InferenceServer server) {
        return server.bean(MeterRegistry.class).find("http.server.requests.active").longTaskTimers().stream()
                .mapToInt(LongTaskTimer::activeTasks).sum();
    }

    /**
     * The instance's one runner thread held by the test until closed (with {@code baton.runner.threads} 1): no batch
     * runs meanwhile, so whatever is submitted waits in the queue or for a predecessor's state.
     */
    private static final class HeldRunner implements AutoCloseable {
        private final CountDownLatch release = new CountDownLatch(1);

        static HeldRunner of(InferenceServer instance) throws InterruptedException {
            HeldRunner held = new HeldRunner();
            CountDownLatch holding = new CountDownLatch(1);
            instance.bean(OnnxScheduler.class).scheduler().schedule(() -> {
                holding.countDown();
                try {
                    held.release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            if (!holding.await(30, TimeUnit.SECONDS)) {
                held.close();
            }
            assertThat(holding.getCount()).as("the test holds the one runner thread").isZero();
            return held;
        }

        @Override
        public void close() {
            release.countDown();
        }
    }

    /** The instance's count of pipelined segments with {@code outcome}. */
    static double pipelined(InferenceServer server, String outcome) {
        Counter counter = server.bean(MeterRegistry.class).find("baton.segment.pipelined")
                .tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    /**
     * Pipelined segments, each sent before its predecessor is answered, run together in the batch
     * right after their predecessors' even with no wait for company ({@code max-wait} 0, the
     * default): a follower is handed its predecessor's state on the runner thread as the batch's
     * outputs are handed out, and so queues before the runner takes its next batch. Were it handed
     * the state after a hop to another thread, the runner would look for its next batch before the
     * followers had queued, and they would split into groups that alternate from then on (on the
     * GPU, 20 of 32 segments per batch at 32 documents).
     *
     * <p>The instance has one runner thread, which the test holds while every document's segment 0
     * queues and its segment 1 starts to wait for segment 0's state; then the segment 0s run as one
     * batch with every follower waiting. The segments go to the service bean, not over HTTP:
     * subscribing takes a segment as far as it goes without the runner (segment 0 into the queue,
     * segment 1 to its wait for segment 0's state), so each is known to be there once subscribed;
     * over HTTP nothing tells when a follower has started to wait.
     */
    @Test
    void followersRunTogetherInTheBatchRightAfterTheirPredecessors() throws Exception {
        String model = "jamba-tiny";
        int documents = 8;
        int[] lengths = {96, 96};
        Map<String, String> settings = new HashMap<>(settings(memory.baseUrl()));
        settings.put("baton.runner.threads", "1");
        settings.put("baton.batching.max-batch", String.valueOf(documents));
        settings.put("baton.batching.max-wait", "0ms");
        try (InferenceServer instance = InferenceServer.start(settings)) {
            SegmentService service = instance.bean(SegmentService.class);
            SegmentBatcher batcher = instance.bean(SegmentBatcher.class);
            String tenant = tenant();
            List<long[]> texts = new ArrayList<>();
            for (int d = 0; d < documents; d++) {
                texts.add(mobyDick(300_000 + 5_000 * d, Arrays.stream(lengths).sum()));
            }
            List<CompletableFuture<SegmentResponse>> answers = new ArrayList<>();
            long batches;
            long segments;
            double followed;
            try (HeldRunner held = HeldRunner.of(instance)) {
                batches = batcher.batchesRun();
                segments = batcher.segmentsRun();
                followed = pipelined(instance, "followed");
                for (int i = 0; i < lengths.length; i++) {
                    for (int d = 0; d < documents; d++) {
                        answers.add(service.process(tenant, segmentRequest("follow-" + d, model, lengths, texts.get(d), i))
                                .toFuture());
                    }
                }
                assertThat(batcher.queued()).as("every segment 0 queued; every segment 1 waits for its state, unqueued")
                        .isEqualTo(documents);
            }
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);

            assertThat(new long[] {batcher.batchesRun() - batches, batcher.segmentsRun() - segments})
                    .as("batches run and segments in them: every segment 0 in one, then every segment 1 in the next")
                    .containsExactly(2, 2L * documents);
            assertThat(pipelined(instance, "followed") - followed).as("segment 1s that ran from their segment 0's state")
                    .isEqualTo(documents);
            for (int d = 0; d < documents; d++) {
                assertMatchesOnePass(model, texts.get(d), lengths,
                        results(answers.get(d).get(), answers.get(documents + d).get()));
            }
        }
    }

    /**
     * Four segments of a document sent at once, while the first cannot run yet (the one runner thread held for
     * ten times the pipeline wait): each follows its predecessor however long that one waits for its own. A
     * segment is in flight from the moment it knows what it follows, not only once it runs; were it in flight only
     * from its run, segment 2 would look for 1 in vain while 1 waits for 0's state, and after the pipeline wait be
     * refused as a gap (409), as 32 documents with 4 segments in flight each were on the GPU when a batch took
     * longer than the wait (docs/performance.md, session 30).
     */
    @Test
    void aChainOfFollowersWaitsForItsFirstHoweverLongItTakes() throws Exception {
        String model = "jamba-tiny";
        int[] lengths = {64, 64, 64, 64};
        Duration wait = Duration.ofMillis(50);
        Map<String, String> settings = new HashMap<>(settings(memory.baseUrl()));
        settings.put("baton.runner.threads", "1");
        settings.put("baton.segments.pipeline-wait", wait.toMillis() + "ms");
        try (InferenceServer instance = InferenceServer.start(settings)) {
            SegmentService service = instance.bean(SegmentService.class);
            String tenant = tenant();
            long[] tokens = mobyDick(400_000, Arrays.stream(lengths).sum());
            List<CompletableFuture<SegmentResponse>> answers = new ArrayList<>();
            double followed;
            try (HeldRunner held = HeldRunner.of(instance)) {
                followed = pipelined(instance, "followed");
                for (int i = 0; i < lengths.length; i++) {
                    answers.add(service.process(tenant, segmentRequest("chain", model, lengths, tokens, i)).toFuture());
                }
                // refused as a gap, a segment would complete once the pipeline wait had passed
                Awaitility.await("no segment answered or refused while the first cannot run")
                        .during(wait.multipliedBy(10)).atMost(wait.multipliedBy(10).plusSeconds(5))
                        .until(() -> answers.stream().noneMatch(CompletableFuture::isDone));
            }
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            assertThat(pipelined(instance, "followed") - followed).as("segments 1 to 3, each run from its predecessor's state")
                    .isEqualTo(lengths.length - 1);
            assertMatchesOnePass(model, tokens, lengths, results(answers.stream().map(CompletableFuture::join)
                    .toArray(SegmentResponse[]::new)));
        }
    }

    @Test
    void anInstanceContinuesFromTheStateItStoredAndMatchesTheWholeDocument() throws Exception {
        String model = "jamba-tiny";
        int[] lengths = {500, 500, 500};
        StateCache cache = first.bean(StateCache.class);
        long hits = cache.hits();
        Results got = process(tenant(), "own-state", model, lengths, i -> first.client());
        assertThat(cache.hits() - hits).as("segments 1 and 2 continued from the kept state").isEqualTo(2);
        assertMatchesOnePass(model, lengths, got);
    }

    @Test
    void aKeptStateIsNotContinuedFromOnceTheDocumentWasWrittenAgain() throws Exception {
        String model = "jamba-tiny";
        int[] lengths = {500, 500, 500};
        String tenant = tenant();
        String document = "reborn";
        // The first instance stores segments 0 and 1 of another text and keeps the state after 1.
        processText(tenant, document, model, new int[] {500, 500}, mobyDick(200_000, 1000), i -> first.client());
        // The document is deleted and written again elsewhere, up to segment 1, from the test text.
        assertThat(memoryClient().delete().uri("/v1/documents/{doc}", document)
                .header("X-Baton-Tenant", tenant).exchangeToMono(r -> Mono.just(r.statusCode().value()))
                .block(Duration.ofSeconds(30))).isEqualTo(204);
        StateCache cache = first.bean(StateCache.class);
        long hits = cache.hits();
        // Segment 2 on the first instance finds its kept state after segment 1, which is stale: the
        // memory service refuses the write, and the segment runs again from the stored checkpoint.
        Results got = process(tenant, document, model, lengths, i -> i < 2 ? second.client() : first.client());
        assertThat(cache.hits() - hits).as("segment 2 found the stale kept state").isEqualTo(1);
        assertMatchesOnePass(model, lengths, got);
    }

    @Test
    void eightDocumentsAtOnceGiveWhatEachGivesAlone() {
        String model = "jamba-tiny";
        int[] lengths = {96, 96, 96};
        List<long[]> texts = new ArrayList<>();
        for (int d = 0; d < 8; d++) {
            texts.add(mobyDick(100_000 + 5_000 * d, 288));
        }
        String tenant = tenant();
        List<double[]> alone = new ArrayList<>();
        for (int d = 0; d < 8; d++) {
            alone.add(processText(tenant, "alone-" + d, model, lengths, texts.get(d), i -> first.client()).nll());
        }
        List<double[]> together = Flux.range(0, 8)
                .flatMapSequential(d -> Mono.fromCallable(() -> processText(tenant, "together-" + d, model, lengths,
                        texts.get(d), i -> (d % 2 == 0 ? first : second).client()).nll())
                        .subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()), 8)
                .collectList().block(Duration.ofMinutes(5));
        for (int d = 0; d < 8; d++) {
            assertThat(together.get(d)).as("document %d", d).isEqualTo(alone.get(d));
        }
    }

    @Test
    void badSegmentsAreRefusedAndStoreNothing() {
        WebClient client = first.client();
        String tenant = tenant();
        expectProblem(client, tenant, request("bad-model", 0, "no-such-model", new long[] {1, 2}), 404, "unknown-model");
        expectProblem(client, tenant, request("bad-token", 0, "gemma2-tiny", new long[] {65, 256}), 400,
                "token-out-of-vocabulary");
        expectProblem(client, tenant, request("bad-empty", 0, "gemma2-tiny", new long[0]), 400, "empty-segment");
        expectProblem(client, tenant, request("bad-long", 0, "gemma2-tiny", new long[2049]), 400, "segment-too-long");
        Map<String, Object> gap = expectProblem(client, tenant, request("bad-gap", 2, "gemma2-tiny", new long[] {65}),
                409, "segment-gap");
        assertThat(gap).containsEntry("expectedSegment", 0);
        for (String document : List.of("bad-model", "bad-token", "bad-empty", "bad-long", "bad-gap")) {
            assertThat(memoryHead(tenant, document).getStatusCode().value()).as(document).isEqualTo(404);
        }

        // A document holding gemma2 state cannot continue with another model; its head stays put.
        assertThat(post(client, tenant, request("owned", 0, "gemma2-tiny", slice(text, 0, 50))).getStatusCode().value())
                .isEqualTo(200);
        expectProblem(client, tenant, request("owned", 1, "transformer_xl-tiny", slice(text, 50, 50)), 409, "state-mismatch");
        Map<String, Object> head = memoryHead(tenant, "owned").getBody();
        assertThat(head).containsEntry("segment", 0).containsEntry("model", "gemma2-tiny");

        // Skipping ahead names the index the document expects.
        Map<String, Object> skip = expectProblem(client, tenant, request("owned", 3, "gemma2-tiny", slice(text, 50, 10)),
                409, "segment-gap");
        assertThat(skip).containsEntry("expectedSegment", 1);
    }

    @Test
    void aMemoryOutageOpensTheBreakerAndServiceResumesWhenItIsBack() {
        int port = MemoryServiceProcess.freePort();
        Map<String, String> settings = new HashMap<>(settings("http://127.0.0.1:" + port));
        settings.put("baton.memory.retries", "0");
        settings.put("baton.memory.timeout", "1s");
        settings.put("baton.memory.circuit-breaker.window", "2");
        settings.put("baton.memory.circuit-breaker.minimum-calls", "2");
        settings.put("baton.memory.circuit-breaker.open-for", "2s");
        settings.put("baton.memory.circuit-breaker.half-open-calls", "1");
        String tenant = tenant();
        try (InferenceServer instance = InferenceServer.start(settings)) {
            WebClient client = instance.client();
            // Closed breaker, nothing listening: each call tries and fails.
            for (int i = 0; i < 2; i++) {
                Map<String, Object> problem = expectProblem(client, tenant,
                        request("outage", 0, "gemma2-tiny", new long[] {65, 66}), 503, "memory-unavailable");
                assertThat((String) problem.get("detail")).doesNotContain("circuit breaker is open");
            }
            // Open breaker: the fallback answers at once without calling.
            Map<String, Object> open = expectProblem(client, tenant,
                    request("outage", 0, "gemma2-tiny", new long[] {65, 66}), 503, "memory-unavailable");
            assertThat((String) open.get("detail")).contains("circuit breaker is open");

            try (MemoryServiceProcess back = MemoryServiceProcess.start(port, TestServers.redisUrl(), TOKEN)) {
                Awaitility.await("breaker closes").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                        .until(() -> post(client, tenant, request("outage", 0, "gemma2-tiny", new long[] {65, 66}))
                                .getStatusCode().value() == 200);
                assertThat(post(client, tenant, request("outage", 1, "gemma2-tiny", new long[] {67}))
                        .getStatusCode().value()).isEqualTo(200);
            }
        }
    }

    @Test
    void generationStreamsFromAStoredCheckpointAndLeavesTheDocumentUnchanged() throws Exception {
        String model = "gemma2-tiny";
        String tenant = tenant();
        processText(tenant, "gen", model, new int[] {100, 100, 100}, slice(text, 0, 300), i -> first.client());
        Map<String, Object> before = memoryHead(tenant, "gen").getBody();

        long[] prompt = {32, 84, 104, 101};
        Map<String, Object> greedy = new LinkedHashMap<>(Map.of("document", "gen", "segment", 1, "model", model,
                "prompt", prompt, "maxTokens", 12));
        List<ServerSentEvent<Map<String, Object>>> events = generate(second.client(), tenant, greedy);
        assertThat(events).hasSize(13);
        assertThat(events.subList(0, 12)).allSatisfy(e -> assertThat(e.event()).isEqualTo("token"));
        ServerSentEvent<Map<String, Object>> done = events.get(12);
        assertThat(done.event()).isEqualTo("done");
        assertThat(done.data()).containsEntry("reason", "length").containsEntry("fromSegment", 1);
        List<Long> tokens = events.subList(0, 12).stream().map(e -> ((Number) e.data().get("token")).longValue()).toList();
        assertThat(((List<?>) done.data().get("tokens")).stream().map(t -> ((Number) t).longValue()).toList())
                .isEqualTo(tokens);

        // The same steps run locally: segments 0 and 1, the prompt, then one token at a time, greedy.
        Path folder = Path.of(System.getProperty("baton.zoo.dir", "../models/zoo")).resolve(model);
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel reference = SegmentModel.load(folder, options)) {
            var state = reference.run(slice(text, 0, 100), reference.initialState(1)).next();
            state = reference.run(slice(text, 100, 100), state).next();
            SegmentOutput out = reference.run(prompt, state);
            List<Long> expected = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                int vocab = (int) out.logits().shape()[2];
                int rows = (int) out.logits().shape()[1];
                float[] logits = out.logits().values();
                int best = 0;
                for (int v = 1; v < vocab; v++) {
                    if (logits[(rows - 1) * vocab + v] > logits[(rows - 1) * vocab + best]) {
                        best = v;
                    }
                }
                expected.add((long) best);
                out = reference.run(new long[] {best}, out.next());
            }
            assertThat(tokens).isEqualTo(expected);
        }

        // Sampling is repeatable for a seed; the document's stored head never moved.
        Map<String, Object> sampled = new LinkedHashMap<>(greedy);
        sampled.putAll(Map.of("temperature", 0.9, "topP", 0.9, "seed", 7));
        assertThat(generate(first.client(), tenant, sampled)).isEqualTo(generate(second.client(), tenant, sampled));
        assertThat(memoryHead(tenant, "gen").getBody()).isEqualTo(before);

        // Errors come as problem details before any event.
        Map<String, Object> missing = new LinkedHashMap<>(greedy);
        missing.put("segment", 9);
        assertThat(generateProblem(first.client(), tenant, missing, 404)).containsEntry("type",
                "urn:baton:problem:checkpoint-not-found");
        Map<String, Object> tooMany = new LinkedHashMap<>(greedy);
        tooMany.put("maxTokens", 100_000);
        assertThat(generateProblem(first.client(), tenant, tooMany, 400)).containsEntry("type",
                "urn:baton:problem:segment-too-long");
    }

    @Test
    void aRetryWhoseEarlierAttemptStoredOtherBytesFromTheSameStateSucceedsWithTheStoredDigest() throws Exception {
        String model = "gemma2-tiny";
        String tenant = tenant();
        long[] zero = slice(text, 0, 100);
        long[] one = slice(text, 100, 100);
        Path folder = Path.of(System.getProperty("baton.zoo.dir", "../models/zoo")).resolve(model);
        HttpMemoryClient memory = memoryService();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel reference = SegmentModel.load(folder, options)) {
            DocumentState after0 = reference.run(zero, reference.initialState(1)).next();
            SegmentOutput out1 = reference.run(one, after0);
            // Checkpoint 1 as a first attempt on another device might have stored it: the same
            // segment from the same stored checkpoint 0, its last bits different.
            DocumentState perturbed = perturb(out1.next());
            for (String document : List.of("resumed", "resumed-cached")) {
                String digest0 = digest(post(first.client(), tenant, request(document, 0, model, zero)));
                Written stored = memory.put(tenant, document, 1, Checkpoints.encode(reference,
                        new CheckpointId(tenant, document, 1), perturbed, CheckpointOrigin.of(digest0, one)), null)
                        .block(Duration.ofSeconds(30));
                // The retry of segment 1: on the second instance it reads checkpoint 0 back; on the
                // first it continues from the state it kept after segment 0.
                WebClient instance = document.equals("resumed") ? second.client() : first.client();
                Map<String, Object> body = request(document, 1, model, one);
                body.put("sentences", List.of(List.of(0, 100)));
                ResponseEntity<Map<String, Object>> retried = post(instance, tenant, body);

                assertThat(retried.getStatusCode().value()).as("%s", retried.getBody()).isEqualTo(200);
                assertThat(retried.getBody()).containsEntry("digest", stored.digest());
                double[] nll = Readouts.tokenNll(out1.logits(), one, -1);
                List<?> got = (List<?>) retried.getBody().get("tokenNll");
                assertThat(got).hasSize(nll.length);
                for (int i = 0; i < nll.length; i++) {
                    assertThat(((Number) got.get(i)).doubleValue()).isCloseTo(nll[i], within(TOLERANCE));
                }
                assertThat((List<?>) retried.getBody().get("sentenceVectors")).hasSize(1);
                assertThat(memoryHead(tenant, document).getBody()).containsEntry("segment", 1);
                assertThat(memory.checkpoint(tenant, document, 1).block(Duration.ofSeconds(30)))
                        .as("the stored checkpoint is unchanged")
                        .isEqualTo(memory.kept(tenant, document, 1).block(Duration.ofSeconds(30)).container());
                assertThat(memory.kept(tenant, document, 1).block(Duration.ofSeconds(30)).digest()).isEqualTo(stored.digest());
            }
            assertThat(first.bean(StateCache.class).find(tenant, "resumed-cached", model, 1))
                    .as("the state computed now is not the stored one, so it is not kept").isNull();

            // The segment continues from the stored checkpoint 1.
            Map<String, Object> two = request("resumed", 2, model, slice(text, 200, 50));
            assertThat(post(first.client(), tenant, two).getStatusCode().value()).isEqualTo(200);
        }
    }

    @Test
    void aCheckpointStoredFromAnotherStateOrOtherTokensStaysAConflict() throws Exception {
        String model = "gemma2-tiny";
        String tenant = tenant();
        long[] zero = slice(text, 0, 100);
        long[] one = slice(text, 100, 100);
        Path folder = Path.of(System.getProperty("baton.zoo.dir", "../models/zoo")).resolve(model);
        HttpMemoryClient memory = memoryService();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel reference = SegmentModel.load(folder, options)) {
            DocumentState after1 = perturb(reference.run(one, reference.run(zero, reference.initialState(1)).next()).next());
            Map<String, CheckpointOrigin> origins = new LinkedHashMap<>();
            for (String document : List.of("other-tokens", "other-parent", "no-origin")) {
                String digest0 = digest(post(first.client(), tenant, request(document, 0, model, zero)));
                origins.put(document, switch (document) {
                    case "other-tokens" -> CheckpointOrigin.of(digest0, slice(text, 100, 99));
                    case "other-parent" -> CheckpointOrigin.of("0".repeat(64), one);
                    default -> null;
                });
                memory.put(tenant, document, 1, Checkpoints.encode(reference, new CheckpointId(tenant, document, 1),
                        after1, origins.get(document)), null).block(Duration.ofSeconds(30));
                Map<String, Object> conflict = expectProblem(second.client(), tenant, request(document, 1, model, one),
                        409, "checkpoint-conflict");
                assertThat(conflict).as(document).containsEntry("expectedSegment", 2);
            }
        }
    }

    /** {@code state} with its first value moved by 1e-3: another device's bytes for the same computation. */
    static DocumentState perturb(DocumentState state) {
        Map<String, FloatTensor> tensors = new LinkedHashMap<>(state.tensors());
        Map.Entry<String, FloatTensor> firstTensor = tensors.entrySet().iterator().next();
        float[] values = firstTensor.getValue().values().clone();
        values[0] += 1e-3f;
        tensors.put(firstTensor.getKey(), new FloatTensor(firstTensor.getValue().shape(), values));
        return new DocumentState(state.tokens(), tensors);
    }

    /** The stored checkpoint's digest a segment's answer names. */
    static String digest(ResponseEntity<Map<String, Object>> response) {
        assertThat(response.getStatusCode().value()).as("%s", response.getBody()).isEqualTo(200);
        String digest = (String) response.getBody().get("digest");
        assertThat(digest).matches("[0-9a-f]{64}");
        return digest;
    }

    static List<ServerSentEvent<Map<String, Object>>> generate(WebClient client, String tenant, Map<String, Object> body) {
        return client.post().uri("/v1/generate").header("X-Baton-Tenant", tenant)
                .contentType(MediaType.APPLICATION_JSON).accept(MediaType.TEXT_EVENT_STREAM).bodyValue(body)
                .retrieve().bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>>() {
                })
                .collectList().block(Duration.ofSeconds(120));
    }

    static Map<String, Object> generateProblem(WebClient client, String tenant, Map<String, Object> body, int status) {
        ResponseEntity<Map<String, Object>> response = client.post().uri("/v1/generate").header("X-Baton-Tenant", tenant)
                .contentType(MediaType.APPLICATION_JSON).accept(MediaType.TEXT_EVENT_STREAM, MediaType.APPLICATION_PROBLEM_JSON)
                .bodyValue(body).exchangeToMono(r -> r.toEntity(JSON)).block(Duration.ofSeconds(60));
        assertThat(response.getStatusCode().value()).as("%s", response.getBody()).isEqualTo(status);
        return response.getBody();
    }

    // ------------------------------------------------------------------------------------------

    record Results(double[] nll, List<float[]> vectors) {
    }

    Results process(String tenant, String document, String model, int[] lengths,
                    Function<Integer, WebClient> clientForSegment) {
        return processText(tenant, document, model, lengths, text, clientForSegment);
    }

    static Results processText(String tenant, String document, String model, int[] lengths, long[] tokens,
                               Function<Integer, WebClient> clientForSegment) {
        List<ResponseEntity<Map<String, Object>>> answers = new ArrayList<>();
        for (int i = 0; i < lengths.length; i++) {
            answers.add(post(clientForSegment.apply(i), tenant, segmentBody(document, model, lengths, tokens, i)));
        }
        return results(answers);
    }

    /**
     * The same with segments pipelined as a client may send them (docs/reliability.md, "Pipelined
     * segments"): segment i+1 is sent as soon as i is, and i+2 once i is answered, so two are in
     * flight at a time.
     */
    static Results processPipelined(String tenant, String document, String model, int[] lengths, long[] tokens,
                                    WebClient client) {
        List<ResponseEntity<Map<String, Object>>> answers = Flux.range(0, lengths.length)
                .flatMapSequential(i -> client.post().uri("/v1/segments").header("X-Baton-Tenant", tenant)
                        .contentType(MediaType.APPLICATION_JSON).bodyValue(segmentBody(document, model, lengths, tokens, i))
                        .exchangeToMono(r -> r.toEntity(JSON)), 2, 1)
                .collectList().block(Duration.ofSeconds(120));
        return results(answers);
    }

    /** {@link #segmentRequest} as a JSON body for {@code /v1/segments}. */
    static Map<String, Object> segmentBody(String document, String model, int[] lengths, long[] tokens, int i) {
        SegmentRequest segment = segmentRequest(document, model, lengths, tokens, i);
        Map<String, Object> body = request(document, i, model, segment.tokens());
        body.put("sentences", segment.sentences());
        if (segment.nextToken() != null) {
            body.put("nextToken", segment.nextToken());
        }
        return body;
    }

    /** Segment {@code i} as the service takes it (whole-segment and 7-token sentence spans; the next token if any). */
    static SegmentRequest segmentRequest(String document, String model, int[] lengths, long[] tokens, int i) {
        int start = Arrays.stream(lengths, 0, i).sum();
        Long next = start + lengths[i] < tokens.length ? tokens[start + lengths[i]] : null;
        return new SegmentRequest(document, (long) i, model, slice(tokens, start, lengths[i]),
                List.of(new int[] {0, lengths[i]}, new int[] {0, Math.min(7, lengths[i])}), next);
    }

    /** The token NLLs and sentence vectors of the service's answers, in order. */
    static Results results(SegmentResponse... answers) {
        List<float[]> vectors = new ArrayList<>();
        DoubleStream nll = DoubleStream.empty();
        for (SegmentResponse answer : answers) {
            nll = DoubleStream.concat(nll, Arrays.stream(answer.tokenNll()));
            vectors.addAll(answer.sentenceVectors());
        }
        return new Results(nll.toArray(), vectors);
    }

    /** The token NLLs and sentence vectors of the answers, in order; each must be a 200 with its Server-Timing. */
    static Results results(List<ResponseEntity<Map<String, Object>>> answers) {
        List<Double> nll = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            ResponseEntity<Map<String, Object>> response = answers.get(i);
            assertThat(response.getStatusCode().value()).as("segment %d: %s", i, response.getBody()).isEqualTo(200);
            assertServerTiming(response.getHeaders().getFirst("Server-Timing"));
            for (Object value : (List<?>) response.getBody().get("tokenNll")) {
                nll.add(((Number) value).doubleValue());
            }
            for (Object vector : (List<?>) response.getBody().get("sentenceVectors")) {
                List<?> values = (List<?>) vector;
                float[] v = new float[values.size()];
                for (int j = 0; j < v.length; j++) {
                    v[j] = ((Number) values.get(j)).floatValue();
                }
                vectors.add(v);
            }
        }
        return new Results(nll.stream().mapToDouble(Double::doubleValue).toArray(), vectors);
    }

    /**
     * The answer says where the segment's time went: every step of the pipeline once, in order,
     * each within the total; a follower's also its wait for its predecessor's put, before its own.
     */
    static void assertServerTiming(String header) {
        assertThat(header).as("Server-Timing").isNotNull();
        Map<String, Double> steps = SegmentTimings.parse(header);
        assertThat(List.copyOf(steps.keySet())).as(header).isIn(
                List.of("state", "queue", "run", "store", "readout", "total"),
                List.of("state", "queue", "run", "predecessor", "store", "readout", "total"));
        double total = steps.get("total");
        assertThat(steps.values()).as(header).allSatisfy(ms -> assertThat(ms).isBetween(0.0, total));
        assertThat(steps.get("run")).as(header).isPositive();
    }

    /** One pass over the whole text in ONNX Runtime Java is the reference (equal to the Python whole pass). */
    static void assertMatchesOnePass(String model, int[] lengths, Results got) throws Exception {
        assertMatchesOnePass(model, text, lengths, got);
    }

    /** The same for a document of {@code tokens}. */
    static void assertMatchesOnePass(String model, long[] tokens, int[] lengths, Results got) throws Exception {
        Path folder = Path.of(System.getProperty("baton.zoo.dir", "../models/zoo")).resolve(model);
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel reference = SegmentModel.load(folder, options)) {
            SegmentOutput whole = reference.run(tokens, reference.initialState(1));
            double[] nll = Readouts.tokenNll(whole.logits(), tokens, -1);
            assertThat(got.nll()).hasSize(nll.length);
            double worst = 0;
            for (int i = 0; i < nll.length; i++) {
                worst = Math.max(worst, Math.abs(got.nll()[i] - nll[i]));
            }
            assertThat(worst).as("token NLL, service vs one pass").isLessThanOrEqualTo(TOLERANCE);
            double worstVector = 0;

            List<int[]> spans = new ArrayList<>();
            int start = 0;
            for (int length : lengths) {
                spans.add(new int[] {start, start + length});
                spans.add(new int[] {start, start + Math.min(7, length)});
                start += length;
            }
            float[][] vectors = Readouts.sentenceVectors(whole.lastHiddenState(), spans);
            for (int s = 0; s < spans.size(); s++) {
                FloatTensor want = new FloatTensor(new long[] {vectors[s].length}, vectors[s]);
                FloatTensor have = new FloatTensor(new long[] {got.vectors().get(s).length}, got.vectors().get(s));
                assertThat(have.maxAbsDifference(want)).as("sentence vector %d", s).isLessThanOrEqualTo(TOLERANCE);
                worstVector = Math.max(worstVector, have.maxAbsDifference(want));
            }
            System.out.printf("parity %s %s: max |token NLL diff| %.2e, max |sentence vector diff| %.2e%n",
                    model, Arrays.toString(lengths), worst, worstVector);
        }
    }

    static Map<String, Object> request(String document, long segment, String model, long[] tokens) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("document", document);
        body.put("segment", segment);
        body.put("model", model);
        body.put("tokens", tokens);
        return body;
    }

    static ResponseEntity<Map<String, Object>> post(WebClient client, String tenant, Map<String, Object> body) {
        return client.post().uri("/v1/segments").header("X-Baton-Tenant", tenant)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchangeToMono(r -> r.toEntity(JSON)).block(Duration.ofSeconds(120));
    }

    static Map<String, Object> expectProblem(WebClient client, String tenant, Map<String, Object> body, int status,
                                             String type) {
        ResponseEntity<Map<String, Object>> response = post(client, tenant, body);
        assertThat(response.getStatusCode()).as("%s", response.getBody()).isEqualTo(HttpStatusCode.valueOf(status));
        assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(response.getBody()).containsEntry("type", "urn:baton:problem:" + type);
        return response.getBody();
    }

    static ResponseEntity<Map<String, Object>> memoryHead(String tenant, String document) {
        return memoryClient().get().uri("/v1/documents/{doc}/head", document)
                .header("X-Baton-Tenant", tenant).exchangeToMono(r -> r.toEntity(JSON)).block(Duration.ofSeconds(30));
    }

    static String tenant() {
        return "it-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static long[] slice(long[] tokens, int from, int length) {
        return Arrays.copyOfRange(tokens, from, from + length);
    }

    /** Byte-level token ids of Moby Dick ({@link DataFiles}). */
    static long[] mobyDick(int offset, int length) {
        byte[] bytes = DataFiles.mobyDick().getBytes(StandardCharsets.UTF_8);
        long[] ids = new long[length];
        for (int i = 0; i < length; i++) {
            ids[i] = bytes[offset + i] & 0xFF;
        }
        return ids;
    }
}
