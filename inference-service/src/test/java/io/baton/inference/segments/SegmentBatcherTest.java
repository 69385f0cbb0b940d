package io.baton.inference.segments;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtSession;
import io.baton.inference.models.SegmentInput;
import io.baton.inference.models.SegmentModel;
import io.baton.inference.models.SegmentOutput;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** Segments that queue while the runner is busy run together, one per document, in order. */
class SegmentBatcherTest {

    static Path zoo(String name) {
        return Path.of(System.getProperty("baton.zoo.dir", "../models/zoo")).resolve(name);
    }

    @Test
    void queuedSegmentsOfDistinctDocumentsRunAsOneBatch() throws Exception {
        Scheduler runner = Schedulers.newSingle("test-runner");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(zoo("conv_attention-tiny"), options)) {
            SegmentBatcher batcher = new SegmentBatcher(8, Duration.ZERO, runner);
            // Hold the runner so that everything submitted below queues up.
            CountDownLatch release = new CountDownLatch(1);
            runner.schedule(() -> await(release));

            List<String> documents = List.of("a", "b", "c", "d", "e", "f", "a");
            List<SegmentInput> inputs = new ArrayList<>();
            List<Mono<SegmentOutput>> results = new ArrayList<>();
            for (int i = 0; i < documents.size(); i++) {
                long[] tokens = new long[24];
                for (int t = 0; t < tokens.length; t++) {
                    tokens[t] = 65 + (i * 7 + t) % 26;
                }
                SegmentInput input = new SegmentInput(tokens, model.initialState(1));
                inputs.add(input);
                results.add(batcher.submit(model, documents.get(i), input).cache());
            }
            results.forEach(Mono::subscribe);
            release.countDown();
            List<SegmentOutput> outputs = Flux.concat(results).collectList().block(Duration.ofSeconds(60));

            // Six distinct documents in the first batch; the second segment of "a" runs after it.
            assertThat(batcher.batchesRun()).isEqualTo(2);
            assertThat(batcher.segmentsRun()).isEqualTo(7);
            for (int i = 0; i < inputs.size(); i++) {
                SegmentOutput alone = model.run(inputs.get(i).tokens(), inputs.get(i).state());
                assertThat(outputs.get(i).logits()).as("segment %d", i).isEqualTo(alone.logits());
                assertThat(outputs.get(i).next().tensors()).isEqualTo(alone.next().tensors());
            }
        } finally {
            runner.dispose();
        }
    }

    @Test
    void anIdleRunnerStartsAtOnce() throws Exception {
        Scheduler runner = Schedulers.newSingle("test-runner");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(zoo("gemma2-tiny"), options)) {
            SegmentBatcher batcher = new SegmentBatcher(8, Duration.ZERO, runner);
            for (int i = 0; i < 3; i++) {
                batcher.submit(model, "solo", new SegmentInput(new long[] {72, 105}, model.initialState(1)))
                        .block(Duration.ofSeconds(30));
            }
            assertThat(batcher.batchesRun()).isEqualTo(3);
        } finally {
            runner.dispose();
        }
    }

    @Test
    void withAMaxWaitTheNextBatchWaitsForTheDocumentThatJustRan() {
        Scheduler runner = Schedulers.newSingle("test-runner");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(zoo("gemma2-tiny"), options)) {
            SegmentBatcher batcher = new SegmentBatcher(8, Duration.ofSeconds(1), runner);
            List<Mono<SegmentOutput>> others = new ArrayList<>();
            // Segment 0 of "a" runs alone. "b", "c" and "d" queue while the runner is still busy
            // with it (here: as its output is handed over, on the runner thread), and a's next
            // segment follows a few ms later, as a client posts it after the answer. Without
            // waiting for "a", the batcher would run b, c, d at once and a's segment 1 alone after
            // them, and the two groups would alternate from then on.
            Mono<SegmentOutput> a = batcher.submit(model, "a", input(model, 0))
                    .doOnNext(out -> List.of("b", "c", "d").forEach(d ->
                            others.add(batcher.submit(model, d, input(model, 1)).cache())))
                    .doOnNext(out -> others.forEach(Mono::subscribe))
                    .publishOn(Schedulers.parallel())
                    .delayElement(Duration.ofMillis(20))
                    .then(Mono.defer(() -> batcher.submit(model, "a", input(model, 1))));
            a.block(Duration.ofSeconds(60));
            Flux.concat(others).blockLast(Duration.ofSeconds(60));

            assertThat(batcher.batchesRun()).as("a's segment 0 alone, then a, b, c, d together").isEqualTo(2);
            assertThat(batcher.segmentsRun()).isEqualTo(5);
        } finally {
            runner.dispose();
        }
    }

    static SegmentInput input(SegmentModel model, int salt) {
        return new SegmentInput(new long[] {72, 105, 65 + salt}, model.initialState(1));
    }

    static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(60, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
