package io.baton.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.baton.protocol.inference.InferenceClient;
import io.baton.gateway.pipeline.AnswerLostException;
import io.baton.gateway.pipeline.DocumentGate;
import io.baton.gateway.pipeline.DocumentJob;
import io.baton.gateway.pipeline.SegmentRecorder;
import io.baton.gateway.pipeline.DocumentPipeline;
import io.baton.gateway.pipeline.SegmentResult;
import io.baton.gateway.pipeline.StateLostException;
import io.baton.gateway.segmenting.ModelTokenizers;
import io.baton.gateway.segmenting.Segmenter;
import io.baton.protocol.inference.GenerateRequest;
import io.baton.protocol.inference.GeneratedToken;
import io.baton.protocol.inference.Priority;
import io.baton.protocol.inference.SegmentRequest;
import io.baton.protocol.inference.SegmentResponse;
import io.baton.memory.checkpoints.CheckpointService;
import io.baton.memory.store.DocumentKey;
import io.baton.memory.store.DocumentNotFoundException;
import io.baton.memory.store.Head;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The per-document pipeline against the real in-process inference and the in-memory store. A
 * {@link Recording} client passes every call on to the real one and notes what was in flight.
 */
class DocumentPipelineTest {

    static final String MODEL = "gemma2-tiny";

    static InferenceClient real;
    static CheckpointService checkpoints;
    static Segmenter segmenter;

    @BeforeAll
    static void start() {
        real = Standalone.context().getBean(InferenceClient.class);
        checkpoints = Standalone.context().getBean(CheckpointService.class);
        segmenter = new Segmenter(Standalone.context().getBean(ModelTokenizers.class).tokenizer(MODEL), 64);
    }

    @Test
    void segmentsOfADocumentGoInOrderOneAtATime() {
        Recording recording = new Recording(real);
        DocumentPipeline pipeline = new DocumentPipeline(recording, gate(4));
        String text = Standalone.mobyDick(200_000, 1_500);

        List<SegmentResult> results = pipeline.run(job("order", text)).collectList().block(Duration.ofMinutes(2));

        assertThat(recording.calls("order")).containsExactlyElementsOf(
                java.util.stream.LongStream.range(0, results.size()).boxed().toList());
        assertThat(recording.mostInFlight("order")).isEqualTo(1);
        assertThat(results).noneMatch(SegmentResult::skipped);
        Head head = head("order");
        assertThat(head.segment()).isEqualTo(results.size() - 1);
        assertThat(head.version()).isEqualTo(results.size());
        assertThat(head.tokens()).isEqualTo(results.get(results.size() - 1).progress().tokens());
    }

    @Test
    void pipelinedSegmentsGoInOrderTwoAtATimeEachAppliedOnceWithTheAnswersOfOneAtATime() {
        Recording recording = new Recording(real);
        String text = Standalone.mobyDick(210_000, 1_500);

        List<SegmentResult> alone = new DocumentPipeline(real, gate(1)).run(job("one-at-a-time", text))
                .collectList().block(Duration.ofMinutes(2));
        List<SegmentResult> results = new DocumentPipeline(recording, gate(1), 2).run(job("two-at-a-time", text))
                .collectList().block(Duration.ofMinutes(2));

        assertThat(recording.calls("two-at-a-time")).containsExactlyElementsOf(
                java.util.stream.LongStream.range(0, results.size()).boxed().toList());
        assertThat(recording.mostInFlight("two-at-a-time")).isEqualTo(2);
        assertThat(results).hasSameSizeAs(alone).noneMatch(SegmentResult::skipped);
        for (int i = 0; i < results.size(); i++) {
            assertThat(results.get(i).segment().index()).isEqualTo(i);
            assertThat(results.get(i).response().tokenNll()).as("segment %d", i)
                    .isEqualTo(alone.get(i).response().tokenNll());
        }
        Head head = head("two-at-a-time");
        assertThat(head.segment()).isEqualTo(results.size() - 1);
        assertThat(head.version()).as("every segment applied exactly once").isEqualTo(results.size());
        assertThat(head.tokens()).isEqualTo(results.get(results.size() - 1).progress().tokens());
    }

    @Test
    void aPipelinedSegmentThatOvertookItsPredecessorPastTheWaitIsSentAgainAndAppliedOnce() {
        // Segment 2 leaves 1.5 s late: segment 3, sent while 2 is on its way, finds neither 2 nor its
        // checkpoint, waits (baton.segments.pipeline-wait, 500 ms) and is refused as a gap naming 2;
        // once 2's answer is taken, 2 is stored, so it is sent again, in its own place among the two.
        Recording recording = new Recording(new InferenceClient() {
            @Override
            public Mono<SegmentResponse> process(String tenant, SegmentRequest request) {
                Mono<SegmentResponse> answer = real.process(tenant, request);
                return request.segment() == 2 ? Mono.delay(Duration.ofMillis(1_500)).then(answer) : answer;
            }

            @Override
            public Flux<GeneratedToken> generate(String tenant, GenerateRequest request) {
                return real.generate(tenant, request);
            }
        });
        String text = Standalone.mobyDick(230_000, 600);

        List<SegmentResult> results = new DocumentPipeline(recording, gate(1), 2).run(job("overtaken", text))
                .collectList().block(Duration.ofMinutes(2));

        assertThat(results.size()).isGreaterThan(4);
        assertThat(results).noneMatch(SegmentResult::skipped);
        assertThat(recording.calls("overtaken").stream().filter(segment -> segment == 3)).as("segment 3 sent again")
                .hasSize(2);
        assertThat(recording.mostInFlight("overtaken")).as("the resend counts among the two in flight").isEqualTo(2);
        Head head = head("overtaken");
        assertThat(head.segment()).isEqualTo(results.size() - 1);
        assertThat(head.version()).as("every segment applied exactly once").isEqualTo(results.size());
    }

    @Test
    void aRecordedRunGoesOneSegmentAtATimeWhateverThePipelineAllows() {
        Recording recording = new Recording(real);
        List<Long> recorded = Collections.synchronizedList(new ArrayList<>());
        String text = Standalone.mobyDick(215_000, 1_000);
        DocumentJob job = new DocumentJob("pipeline-test", "recorded", MODEL, () -> segmenter.segments(text),
                text.length(), DocumentJob.OnStored.ANSWER_NEEDED, Priority.BATCH,
                result -> Mono.fromRunnable(() -> recorded.add(result.segment().index())));

        List<SegmentResult> results = new DocumentPipeline(recording, gate(1), 2).run(job).collectList()
                .block(Duration.ofMinutes(2));

        assertThat(recording.mostInFlight("recorded")).as("each answer recorded before the next is sent").isEqualTo(1);
        assertThat(recorded).hasSize(results.size()).isSorted();
    }

    @Test
    void cancellingAPipelinedRunSendsAtMostTwoSegmentsPastTheLastOneTaken() {
        Recording recording = new Recording(real);
        DocumentGate gate = gate(1);
        DocumentPipeline pipeline = new DocumentPipeline(recording, gate, 2);
        String text = Standalone.mobyDick(420_000, 20_000);   // about 300 segments of 64 tokens

        List<SegmentResult> seen = pipeline.run(job("cancel-pipelined", text)).take(2).collectList()
                .block(Duration.ofMinutes(1));

        assertThat(seen).hasSize(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> gate.inUse() == 0 && recording.inFlight() == 0);
        assertThat(recording.totalCalls()).as("segments 0 and 1 taken, at most 2 and 3 sent").isLessThanOrEqualTo(4);
        assertThat(head("cancel-pipelined").segment()).isLessThanOrEqualTo(3);
    }

    @Test
    void aPipelinedRetryResumesAfterTheStoredSegmentsAndAppliesNoneTwice() {
        String text = Standalone.mobyDick(510_000, 1_200);
        new DocumentPipeline(real, gate(1)).run(job("resume-pipelined", text)).take(5).blockLast(Duration.ofMinutes(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> head("resume-pipelined").segment() == 4);

        List<SegmentResult> retry = new DocumentPipeline(real, gate(1), 2)
                .run(job("resume-pipelined", text, DocumentJob.OnStored.SKIP)).collectList().block(Duration.ofMinutes(2));

        assertThat(retry.stream().filter(SegmentResult::skipped).map(r -> r.segment().index()))
                .containsExactly(0L, 1L, 2L, 3L, 4L);
        Head head = head("resume-pipelined");
        assertThat(head.segment()).isEqualTo(retry.size() - 1);
        assertThat(head.version()).as("every segment applied exactly once").isEqualTo(retry.size());
        assertThat(head.tokens()).isEqualTo(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    }

    @Test
    void atMostTheBoundOfDocumentsRunAtOnce() {
        Recording recording = new Recording(real);
        DocumentGate gate = gate(2);
        DocumentPipeline pipeline = new DocumentPipeline(recording, gate);
        List<Flux<SegmentResult>> runs = new ArrayList<>();
        for (int d = 0; d < 5; d++) {
            runs.add(pipeline.run(job("bound-" + d, Standalone.mobyDick(300_000 + d * 1_000, 600))));
        }

        List<SegmentResult> results = Flux.merge(runs).collectList().block(Duration.ofMinutes(2));

        assertThat(recording.mostDocumentsInFlight()).isEqualTo(2);
        assertThat(gate.mostInUse()).isEqualTo(2);
        assertThat(gate.inUse()).isZero();
        for (int d = 0; d < 5; d++) {
            assertThat(head("bound-" + d).version()).isEqualTo(recording.calls("bound-" + d).size());
        }
        assertThat(results).hasSize(recording.totalCalls());
    }

    @Test
    void cancellingStopsTheWorkAndReleasesThePermit() {
        Recording recording = new Recording(real);
        DocumentGate gate = gate(1);
        DocumentPipeline pipeline = new DocumentPipeline(recording, gate);
        String text = Standalone.mobyDick(400_000, 20_000);   // about 300 segments of 64 tokens

        List<SegmentResult> seen = pipeline.run(job("cancel", text)).take(2).collectList().block(Duration.ofMinutes(1));

        assertThat(seen).hasSize(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> gate.inUse() == 0 && recording.inFlight() == 0);
        assertThat(recording.totalCalls()).isLessThanOrEqualTo(3);
        assertThat(head("cancel").segment()).isLessThanOrEqualTo(2);
        // The permit is free again: another document runs through.
        assertThat(pipeline.run(job("after-cancel", "Call me Ishmael.")).count().block(Duration.ofMinutes(1))).isOne();
    }

    @Test
    void aRetryResumesAfterTheStoredSegmentsAndAppliesNoneTwice() {
        String text = Standalone.mobyDick(500_000, 1_200);
        DocumentPipeline pipeline = new DocumentPipeline(real, gate(1));
        // A first run stores segments 0..4 and is cut off; the store keeps the last 3 checkpoints.
        pipeline.run(job("resume", text)).take(5).blockLast(Duration.ofMinutes(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> head("resume").segment() == 4);
        long versionBefore = head("resume").version();

        Recording recording = new Recording(real);
        List<SegmentResult> retry = new DocumentPipeline(recording, gate(1))
                .run(job("resume", text, DocumentJob.OnStored.SKIP)).collectList().block(Duration.ofMinutes(2));

        // Segment 0 is refused (checkpoint-conflict, expected 5): 0..4 are skipped, 5.. run.
        assertThat(retry.stream().filter(SegmentResult::skipped).map(r -> r.segment().index()))
                .containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(recording.calls("resume").get(0)).isZero();
        assertThat(recording.calls("resume").subList(1, recording.calls("resume").size()))
                .containsExactlyElementsOf(java.util.stream.LongStream.range(5, retry.size()).boxed().toList());
        Head head = head("resume");
        assertThat(versionBefore).isEqualTo(5);
        assertThat(head.segment()).isEqualTo(retry.size() - 1);
        assertThat(head.version()).as("every segment applied exactly once").isEqualTo(retry.size());
        assertThat(head.tokens()).isEqualTo(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    }

    @Test
    void aRunThatNeedsEveryAnswerFailsClearlyWhereItWouldSkipAStoredSegment() {
        String text = Standalone.mobyDick(520_000, 1_200);
        DocumentPipeline pipeline = new DocumentPipeline(real, gate(1));
        // Segments 0..4 stored; the store keeps 3, so segment 0 is not there to repeat idempotently.
        pipeline.run(job("answers", text)).take(5).blockLast(Duration.ofMinutes(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> head("answers").segment() == 4);

        // A summary's job (the default) over a document that holds segments up to 4: no result
        // without a response reaches it (its consumer would fail on it), a clear problem does.
        List<SegmentResult> seen = new ArrayList<>();
        Throwable failure = catchThrowable(() -> pipeline.run(job("answers", text)).doOnNext(seen::add)
                .blockLast(Duration.ofMinutes(1)));

        assertThat(failure).isInstanceOf(AnswerLostException.class);
        AnswerLostException lost = (AnswerLostException) failure;
        assertThat(lost.properties()).containsEntry("segment", 0L).containsEntry("expectedSegment", 5L);
        assertThat(lost.status()).isEqualTo(409);
        assertThat(seen).isEmpty();
        assertThat(head("answers").version()).as("nothing applied twice").isEqualTo(5);
    }

    @Test
    void aGapBelowASegmentTheRunStoredItselfIsStateLostNotAResume() {
        String text = Standalone.mobyDick(540_000, 1_200);
        // The store loses the document after segment 2 was stored and answered (as a Redis restart
        // without persistence does).
        InferenceClient losing = new InferenceClient() {
            @Override
            public Mono<SegmentResponse> process(String tenant, SegmentRequest request) {
                Mono<SegmentResponse> answer = real.process(tenant, request);
                return request.segment() != 2 ? answer : answer.flatMap(response -> checkpoints
                        .delete(new DocumentKey("pipeline-test", "lost")).thenReturn(response));
            }

            @Override
            public Flux<GeneratedToken> generate(String tenant, GenerateRequest request) {
                return real.generate(tenant, request);
            }
        };
        for (DocumentJob.OnStored onStored : DocumentJob.OnStored.values()) {
            List<SegmentResult> seen = new ArrayList<>();
            Throwable failure = catchThrowable(() -> new DocumentPipeline(losing, gate(1))
                    .run(job("lost", text, onStored)).doOnNext(seen::add).blockLast(Duration.ofMinutes(1)));

            assertThat(failure).as(onStored.name()).isInstanceOf(StateLostException.class)
                    .hasMessageContaining("lost").hasMessageContaining("segment 3");
            StateLostException lost = (StateLostException) failure;
            assertThat(lost.status()).isEqualTo(503);
            assertThat(lost.properties()).containsEntry("storedSegment", 2L).containsEntry("expectedSegment", 0L);
            assertThat(seen).extracting(r -> r.segment().index()).containsExactly(0L, 1L, 2L);
            assertThat(seen).noneMatch(SegmentResult::skipped);
            // Nothing was stored on top of the lost state.
            assertThat(catchThrowable(() -> head("lost"))).isInstanceOf(DocumentNotFoundException.class);
        }
    }

    @Test
    void everySegmentOfAJobGoesToInferenceWithTheJobsPriority() {
        List<Priority> sent = Collections.synchronizedList(new ArrayList<>());
        InferenceClient noting = new InferenceClient() {
            @Override
            public Mono<SegmentResponse> process(String tenant, SegmentRequest request) {
                sent.add(request.priority());
                return real.process(tenant, request);
            }

            @Override
            public Flux<GeneratedToken> generate(String tenant, GenerateRequest request) {
                return real.generate(tenant, request);
            }
        };
        DocumentPipeline pipeline = new DocumentPipeline(noting, gate(1));
        String text = Standalone.mobyDick(620_000, 600);
        DocumentJob batch = new DocumentJob("pipeline-test", "priority-batch", MODEL, () -> segmenter.segments(text),
                text.length(), DocumentJob.OnStored.ANSWER_NEEDED, Priority.BATCH, SegmentRecorder.NONE);

        List<SegmentResult> results = pipeline.run(batch).collectList().block(Duration.ofMinutes(1));
        assertThat(results).hasSizeGreaterThan(1).noneMatch(SegmentResult::skipped);
        assertThat(sent).hasSize(results.size()).containsOnly(Priority.BATCH);

        sent.clear();
        pipeline.run(job("priority-interactive", text)).blockLast(Duration.ofMinutes(1));
        assertThat(sent).as("a job made without a priority").hasSize(results.size()).containsOnly(Priority.INTERACTIVE);
    }

    /** A gate of {@code permits} whose queue never refuses in these tests. */
    private static DocumentGate gate(int permits) {
        return new DocumentGate(permits, 100, Duration.ofMinutes(5));
    }

    private static DocumentJob job(String document, String text) {
        return new DocumentJob("pipeline-test", document, MODEL, () -> segmenter.segments(text), text.length());
    }

    private static DocumentJob job(String document, String text, DocumentJob.OnStored onStored) {
        return new DocumentJob("pipeline-test", document, MODEL, () -> segmenter.segments(text), text.length(),
                onStored);
    }

    private static Head head(String document) {
        return checkpoints.head(new DocumentKey("pipeline-test", document)).block(Duration.ofSeconds(10));
    }

    /** Passes calls on to the real client, noting each document's calls and what is in flight. */
    static final class Recording implements InferenceClient {

        private final InferenceClient delegate;
        private final Map<String, List<Long>> calls = Collections.synchronizedMap(new HashMap<>());
        private final Map<String, Integer> inFlight = new HashMap<>();
        private final Map<String, Integer> mostInFlight = new HashMap<>();
        private final AtomicInteger total = new AtomicInteger();
        private int mostDocuments;

        Recording(InferenceClient delegate) {
            this.delegate = delegate;
        }

        @Override
        public Mono<SegmentResponse> process(String tenant, SegmentRequest request) {
            return Mono.defer(() -> {
                String document = request.document();
                started(document, request.segment());
                // Noted before the answer travels on, so the next call never overlaps in the record.
                return delegate.process(tenant, request)
                        .doOnSuccess(response -> ended(document))
                        .doOnError(e -> ended(document))
                        .doOnCancel(() -> ended(document));
            });
        }

        @Override
        public Flux<GeneratedToken> generate(String tenant, GenerateRequest request) {
            return delegate.generate(tenant, request);
        }

        private synchronized void started(String document, long segment) {
            total.incrementAndGet();
            calls.computeIfAbsent(document, d -> Collections.synchronizedList(new ArrayList<>())).add(segment);
            int now = inFlight.merge(document, 1, Integer::sum);
            mostInFlight.merge(document, now, Math::max);
            mostDocuments = Math.max(mostDocuments, inFlight.size());
        }

        private synchronized void ended(String document) {
            inFlight.computeIfPresent(document, (d, n) -> n == 1 ? null : n - 1);
        }

        synchronized List<Long> calls(String document) {
            return List.copyOf(calls.getOrDefault(document, List.of()));
        }

        synchronized int mostInFlight(String document) {
            return mostInFlight.getOrDefault(document, 0);
        }

        synchronized int mostDocumentsInFlight() {
            return mostDocuments;
        }

        synchronized int inFlight() {
            return inFlight.size();
        }

        int totalCalls() {
            return total.get();
        }
    }
}
