package io.baton.inference.segments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtSession;
import io.baton.inference.admission.ServiceBusyException;
import io.baton.inference.models.InvalidSegmentException;
import io.baton.inference.models.SegmentInput;
import io.baton.inference.models.SegmentModel;
import io.baton.inference.models.SegmentOutput;
import io.baton.inference.models.StatePlan;
import io.baton.inference.runtime.OnnxRuntimeException;
import io.baton.protocol.deadlines.Deadline;
import io.baton.protocol.deadlines.DeadlineExceededException;
import io.baton.protocol.inference.Priority;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Segments that queue while the runner is busy run together, one per document, in order;
 * interactive segments run before batch ones queued ahead of them, never joined with them, and
 * batch segments never fill the queue; batch segments yield to interactive ones (no batch run
 * beside an interactive one, none within the quiet time after one, and none held past the longest
 * yield); and the batcher never wedges: a refused drain, an {@link
 * Error} of a run, a cancelled segment, a passed deadline, a full queue and a failing input each
 * fail only what they must, and the next segment of the same model and length runs. A model that
 * takes ragged batches has one lane for every length (a document's last, shorter segment runs with
 * the full ones); any other model, or a runner that does not take them, one lane per length.
 */
class SegmentBatcherTest {

    /** The service's defaults (baton.batching.interactive-quiet and batch-max-yield). */
    static final SegmentBatcher.Yield YIELD = new SegmentBatcher.Yield(Duration.ofMillis(50), Duration.ofSeconds(2));

    static Path zoo(String name) {
        return Path.of(System.getProperty("baton.zoo.dir", "../models/zoo")).resolve(name);
    }

    @Test
    void queuedSegmentsOfDistinctDocumentsRunAsOneBatch() throws Exception {
        Scheduler runner = Schedulers.newSingle("test-runner");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(zoo("conv_attention-tiny"), options)) {
            SegmentBatcher batcher = new SegmentBatcher(8, Duration.ZERO, 256, 256, YIELD, runner);
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
                SegmentOutput alone = scoredAlone(model, inputs.get(i));
                assertThat(outputs.get(i).logits()).as("the batcher never fetches logits").isNull();
                assertThat(outputs.get(i).tokenNll()).as("segment %d", i).isEqualTo(alone.tokenNll()).isNotNull();
                assertThat(outputs.get(i).lastHiddenState()).isEqualTo(alone.lastHiddenState());
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
            SegmentBatcher batcher = new SegmentBatcher(8, Duration.ZERO, 256, 256, YIELD, runner);
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
            SegmentBatcher batcher = new SegmentBatcher(8, Duration.ofSeconds(1), 256, 256, YIELD, runner);
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

    @Test
    void aDrainTheRunnerRefusesFailsTheWaitingSegmentsServiceBusyAndTheNextSegmentRuns() throws Exception {
        // One thread and room for one waiting task: with one task running and one waiting, the
        // runner refuses the batcher's drain.
        Scheduler runner = Schedulers.newBoundedElastic(1, 1, "test-runner");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(zoo("gemma2-tiny"), options)) {
            SegmentBatcher batcher = new SegmentBatcher(8, Duration.ZERO, 256, 256, YIELD, runner);
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            runner.schedule(() -> {
                running.countDown();
                await(release);
            });
            assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
            runner.schedule(() -> { });

            assertThatThrownBy(() -> batcher.submit(model, "a", input(model, 0)).block(Duration.ofSeconds(30)))
                    .isInstanceOf(ServiceBusyException.class)
                    .satisfies(e -> assertThat(((ServiceBusyException) e).properties()).containsKey("retryAfter"));
            assertThat(batcher.queued()).isZero();

            release.countDown();
            Awaitility.await("the runner has room again").atMost(Duration.ofSeconds(30))
                    .ignoreExceptionsInstanceOf(ServiceBusyException.class)
                    .until(() -> batcher.submit(model, "a", input(model, 0)).block(Duration.ofSeconds(30)) != null);
            assertThat(batcher.submit(model, "b", input(model, 1)).block(Duration.ofSeconds(30))).isNotNull();
        } finally {
            runner.dispose();
        }
    }

    @Test
    void aRunnerThatIsShutDownRefusesAtOnceInsteadOfHanging() throws Exception {
        Scheduler runner = Schedulers.newSingle("test-runner");
        runner.dispose();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(zoo("gemma2-tiny"), options)) {
            SegmentBatcher batcher = new SegmentBatcher(8, Duration.ZERO, 256, 256, YIELD, runner);
            for (int i = 0; i < 2; i++) {
                assertThatThrownBy(() -> batcher.submit(model, "a", input(model, 0)).block(Duration.ofSeconds(30)))
                        .isInstanceOf(ServiceBusyException.class);
            }
            assertThat(batcher.queued()).isZero();
        }
    }

    @Test
    void anErrorOfABatchRunsItsSegmentsOneAtATimeAndTheLaneKeepsDraining() throws Exception {
        Scheduler runner = Schedulers.newSingle("test-runner");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(zoo("conv_attention-tiny"), options)) {
            // A batch of several runs out of memory; one segment at a time fits.
            SegmentBatcher batcher = new SegmentBatcher(8, Duration.ZERO, 256, 256, YIELD, runner, (m, documents, inputs) -> {
                if (inputs.size() > 1) {
                    throw new OutOfMemoryError("test: a batch of " + inputs.size() + " is too large");
                }
                return m.run(inputs);
            });
            CountDownLatch release = new CountDownLatch(1);
            runner.schedule(() -> await(release));
            List<SegmentInput> inputs = List.of(input(model, 0), input(model, 1), input(model, 2));
            List<Mono<SegmentOutput>> results = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                results.add(batcher.submit(model, "doc-" + i, inputs.get(i)).cache());
            }
            results.forEach(Mono::subscribe);
            release.countDown();
            List<SegmentOutput> outputs = Flux.concat(results).collectList().block(Duration.ofSeconds(60));

            assertThat(batcher.batchesRun()).as("three runs of one after the failed batch").isEqualTo(3);
            for (int i = 0; i < inputs.size(); i++) {
                assertThat(outputs.get(i).logits()).isEqualTo(model.run(inputs.get(i).tokens(), inputs.get(i).state()).logits());
            }
        } finally {
            runner.dispose();
        }
    }

    @Test
    void aLostDeviceFailsTheWholeBatchAtOnceAndIsReported() throws Exception {
        Scheduler runner = Schedulers.newSingle("test-runner");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(zoo("gemma2-tiny"), options)) {
            AtomicInteger runs = new AtomicInteger();
            List<Throwable> lost = new java.util.concurrent.CopyOnWriteArrayList<>();
            // ONNX Runtime's text for a sticky CUDA error: every later run in the process fails alike.
            SegmentBatcher batcher = new SegmentBatcher(8, Duration.ZERO, 256, 256, YIELD, runner, (m, documents, inputs) -> {
                runs.incrementAndGet();
                throw new IllegalStateException("CUDA failure 700: an illegal memory access was encountered ; GPU=0");
            });
            batcher.onDeviceLost(lost::add);
            CountDownLatch release = new CountDownLatch(1);
            runner.schedule(() -> await(release));
            List<Mono<SegmentOutput>> results = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                results.add(batcher.submit(model, "doc-" + i, input(model, i)).cache());
            }
            results.forEach(r -> r.subscribe(v -> { }, e -> { }));
            release.countDown();
            for (Mono<SegmentOutput> result : results) {
                assertThatThrownBy(() -> result.block(Duration.ofSeconds(30)))
                        .isInstanceOf(OnnxRuntimeException.class)
                        .hasRootCauseMessage("CUDA failure 700: an illegal memory access was encountered ; GPU=0")
                        .satisfies(e -> assertThat(((OnnxRuntimeException) e).type().retryable())
                                .as("another replica can run it").isTrue());
            }
            assertThat(runs.get()).as("one run: a lost device is not retried one segment at a time").isEqualTo(1);
            assertThat(lost).hasSize(1);
        } finally {
            runner.dispose();
        }
    }

    @Test
    void onlyTheCudaRuntimesStickyErrorsAreALostDevice() {
        assertThat(DeviceFaults.lost(new RuntimeException("the run failed",
                new IllegalStateException("cudaMemcpy: an illegal memory access was encountered")))).isTrue();
        assertThat(DeviceFaults.lost(new IllegalStateException("CUDA failure 719: unspecified launch failure"))).isTrue();
        assertThat(DeviceFaults.lost(new OutOfMemoryError("test: out of memory"))).isFalse();
        assertThat(DeviceFaults.lost(new IllegalStateException("CUDA failure 2: out of memory"))).isFalse();
        assertThat(DeviceFaults.lost(new IllegalArgumentException("segments of one batch must have one length"))).isFalse();
    }

    @Test
    void anErrorOfASingleSegmentFailsItAsARetryableRuntimeFailureAndTheNextSegmentRuns() throws Exception {
        Scheduler runner = Schedulers.newSingle("test-runner");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(zoo("gemma2-tiny"), options)) {
            AtomicInteger calls = new AtomicInteger();
            SegmentBatcher batcher = new SegmentBatcher(8, Duration.ZERO, 256, 256, YIELD, runner, (m, documents, inputs) -> {
                if (calls.getAndIncrement() == 0) {
                    throw new OutOfMemoryError("test: out of memory");
                }
                return m.run(inputs);
            });
            assertThatThrownBy(() -> batcher.submit(model, "a", input(model, 0)).block(Duration.ofSeconds(30)))
                    .isInstanceOf(OnnxRuntimeException.class)
                    .hasCauseInstanceOf(OutOfMemoryError.class)
                    .satisfies(e -> assertThat(((OnnxRuntimeException) e).type().retryable()).isTrue());
            assertThat(batcher.submit(model, "a", input(model, 0)).block(Duration.ofSeconds(30))).isNotNull();
            assertThat(batcher.submit(model, "b", input(model, 1)).block(Duration.ofSeconds(30))).isNotNull();
        } finally {
            runner.dispose();
        }
    }

    @Test
    void aFailingInputFailsOnlyItsOwnDocument() throws Exception {
        Scheduler runner = Schedulers.newSingle("test-runner");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(zoo("conv_attention-tiny"), options)) {
            SegmentBatcher batcher = new SegmentBatcher(8, Duration.ZERO, 256, 256, YIELD, runner);
            CountDownLatch release = new CountDownLatch(1);
            runner.schedule(() -> await(release));
            // The model refuses a token outside its vocabulary, and with it the whole batched run.
            SegmentInput bad = new SegmentInput(new long[] {72, 1_000_000, 65}, model.initialState(1));
            Mono<SegmentOutput> first = batcher.submit(model, "good-1", input(model, 0)).cache();
            Mono<SegmentOutput> failing = batcher.submit(model, "bad", bad).cache();
            Mono<SegmentOutput> second = batcher.submit(model, "good-2", input(model, 1)).cache();
            List.of(first, failing, second).forEach(m -> m.subscribe(out -> { }, e -> { }));
            release.countDown();

            assertThat(first.block(Duration.ofSeconds(60)).tokenNll())
                    .isEqualTo(scoredAlone(model, input(model, 0)).tokenNll()).isNotNull();
            assertThat(second.block(Duration.ofSeconds(60)).tokenNll())
                    .isEqualTo(scoredAlone(model, input(model, 1)).tokenNll()).isNotNull();
            assertThatThrownBy(() -> failing.block(Duration.ofSeconds(60)))
                    .isInstanceOf(InvalidSegmentException.class)
                    .satisfies(e -> assertThat(((InvalidSegmentException) e).reason())
                            .isEqualTo(InvalidSegmentException.Reason.TOKEN_OUT_OF_VOCABULARY));
        } finally {
            runner.dispose();
        }
    }

    @Test
    void aCancelledSegmentLeavesTheQueueAndNeverRuns() throws Exception {
        Scheduler runner = Schedulers.newSingle("test-runner");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(zoo("gemma2-tiny"), options)) {
            List<Integer> ran = new CopyOnWriteArrayList<>();
            SegmentBatcher batcher = new SegmentBatcher(8, Duration.ZERO, 256, 256, YIELD, runner, (m, documents, inputs) -> {
                inputs.forEach(in -> ran.add((int) in.tokens()[2] - 65));
                return m.run(inputs);
            });
            CountDownLatch release = new CountDownLatch(1);
            runner.schedule(() -> await(release));
            Mono<SegmentOutput> kept = batcher.submit(model, "kept", input(model, 0)).cache();
            kept.subscribe();
            Disposable gone = batcher.submit(model, "gone", input(model, 1)).subscribe();
            assertThat(batcher.queued()).isEqualTo(2);

            gone.dispose();
            assertThat(batcher.queued()).as("the cancelled segment left the queue").isEqualTo(1);
            release.countDown();
            kept.block(Duration.ofSeconds(60));
            assertThat(batcher.submit(model, "after", input(model, 2)).block(Duration.ofSeconds(60))).isNotNull();

            assertThat(ran).as("salts of the segments that ran").containsExactly(0, 2);
            assertThat(batcher.segmentsRun()).isEqualTo(2);
        } finally {
            runner.dispose();
        }
    }

    @Test
    void aSegmentWhoseDeadlinePassedWhileItWaitedIsDroppedUnrun() throws Exception {
        Scheduler runner = Schedulers.newSingle("test-runner");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(zoo("gemma2-tiny"), options)) {
            SegmentBatcher batcher = new SegmentBatcher(8, Duration.ZERO, 256, 256, YIELD, runner);
            CountDownLatch release = new CountDownLatch(1);
            runner.schedule(() -> await(release));
            Deadline deadline = Deadline.in(Duration.ofMillis(50));
            Mono<SegmentOutput> late = batcher.submit(model, "late", input(model, 0))
                    .contextWrite(context -> context.put(Deadline.KEY, deadline)).cache();
            late.subscribe(out -> { }, e -> { });
            Mono<SegmentOutput> timely = batcher.submit(model, "timely", input(model, 1)).cache();
            timely.subscribe();
            Awaitility.await("the deadline passes while the runner is busy").atMost(Duration.ofSeconds(30))
                    .until(deadline::passed);
            release.countDown();

            assertThat(timely.block(Duration.ofSeconds(60))).isNotNull();
            assertThatThrownBy(() -> late.block(Duration.ofSeconds(60))).isInstanceOf(DeadlineExceededException.class);
            assertThat(batcher.segmentsRun()).as("only the timely segment ran").isEqualTo(1);
            assertThatThrownBy(() -> batcher.submit(model, "late", input(model, 0))
                    .contextWrite(context -> context.put(Deadline.KEY, deadline)).block(Duration.ofSeconds(30)))
                    .as("a segment submitted after its deadline is refused at once")
                    .isInstanceOf(DeadlineExceededException.class);
        } finally {
            runner.dispose();
        }
    }

    @Test
    void aFullQueueRefusesTheNextSegmentServiceBusyAndTakesMoreOnceItDrains() throws Exception {
        Scheduler runner = Schedulers.newSingle("test-runner");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(zoo("gemma2-tiny"), options)) {
            SegmentBatcher batcher = new SegmentBatcher(8, Duration.ZERO, 2, 2, YIELD, runner);
            CountDownLatch release = new CountDownLatch(1);
            runner.schedule(() -> await(release));
            Mono<SegmentOutput> a = batcher.submit(model, "a", input(model, 0)).cache();
            Mono<SegmentOutput> b = batcher.submit(model, "b", new SegmentInput(new long[] {72, 105}, model.initialState(1)))
                    .cache();
            a.subscribe();
            b.subscribe();

            assertThatThrownBy(() -> batcher.submit(model, "c", input(model, 2)).block(Duration.ofSeconds(30)))
                    .isInstanceOf(ServiceBusyException.class)
                    .hasMessageContaining("baton.batching.max-queued");
            release.countDown();
            assertThat(a.block(Duration.ofSeconds(60))).isNotNull();
            assertThat(b.block(Duration.ofSeconds(60))).isNotNull();
            assertThat(batcher.submit(model, "c", input(model, 2)).block(Duration.ofSeconds(60))).isNotNull();
        } finally {
            runner.dispose();
        }
    }

    @Test
    void interactiveSegmentsQueuedBehindBatchSegmentsRunFirstAndAlone() throws Exception {
        Scheduler runner = Schedulers.newSingle("test-runner");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(zoo("conv_attention-tiny"), options)) {
            List<List<Integer>> runs = new CopyOnWriteArrayList<>();
            SegmentBatcher batcher = new SegmentBatcher(8, Duration.ZERO, 256, 256, YIELD, runner, (m, documents, inputs) -> {
                runs.add(inputs.stream().map(in -> (int) in.tokens()[2] - 65).toList());
                return m.run(inputs);
            });
            CountDownLatch release = new CountDownLatch(1);
            runner.schedule(() -> await(release));
            // Three batch documents queue first, then two interactive ones; all fit one run of 8.
            List<Mono<SegmentOutput>> results = new ArrayList<>();
            for (int salt = 0; salt < 5; salt++) {
                Priority priority = salt < 3 ? Priority.BATCH : Priority.INTERACTIVE;
                results.add(batcher.submit(model, "doc-" + salt, priority, input(model, salt), new SegmentTimings())
                        .cache());
            }
            results.forEach(Mono::subscribe);
            release.countDown();
            List<SegmentOutput> outputs = Flux.concat(results).collectList().block(Duration.ofSeconds(60));

            assertThat(runs).as("salts of each run: the interactive segments first, by themselves")
                    .containsExactly(List.of(3, 4), List.of(0, 1, 2));
            for (int salt = 0; salt < 5; salt++) {
                assertThat(outputs.get(salt).logits()).as("segment %d", salt)
                        .isEqualTo(model.run(input(model, salt).tokens(), model.initialState(1)).logits());
            }
        } finally {
            runner.dispose();
        }
    }

    @Test
    void anInteractiveSegmentWaitsForTheBatchRunExecutingAndNoMoreBatchWork() throws Exception {
        Scheduler runner = Schedulers.newSingle("test-runner");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(zoo("gemma2-tiny"), options)) {
            // Runs of at most two: five batch documents take three runs of one key (3 tokens).
            List<List<Integer>> runs = new CopyOnWriteArrayList<>();
            CountDownLatch firstRunStarted = new CountDownLatch(1);
            CountDownLatch interactiveQueued = new CountDownLatch(1);
            SegmentBatcher batcher = new SegmentBatcher(2, Duration.ZERO, 256, 256, YIELD, runner, (m, documents, inputs) -> {
                runs.add(inputs.stream().map(in -> (int) in.tokens()[in.tokens().length - 1] - 65).toList());
                if (runs.size() == 1) {
                    firstRunStarted.countDown();
                    await(interactiveQueued);
                }
                return m.run(inputs);
            });
            // The runner is held until all five are queued, so that the first run takes two of them
            // (else it could start with the first one alone).
            CountDownLatch batchQueued = new CountDownLatch(1);
            runner.schedule(() -> await(batchQueued));
            List<Mono<SegmentOutput>> batch = new ArrayList<>();
            for (int salt = 0; salt < 5; salt++) {
                batch.add(batcher.submit(model, "batch-" + salt, Priority.BATCH, input(model, salt), new SegmentTimings())
                        .cache());
            }
            batch.forEach(Mono::subscribe);
            batchQueued.countDown();
            assertThat(firstRunStarted.await(60, TimeUnit.SECONDS)).isTrue();
            // While the first batch run executes, an interactive segment (2 tokens: a lane of its own
            // for a model without ragged batches, the batch segments' lane for one with them) queues:
            // it runs next, before the batch segments' two remaining runs.
            Mono<SegmentOutput> interactive = batcher.submit(model, "interactive", Priority.INTERACTIVE,
                    new SegmentInput(new long[] {72, 65 + 9}, model.initialState(1)), new SegmentTimings()).cache();
            interactive.subscribe();
            interactiveQueued.countDown();

            assertThat(interactive.block(Duration.ofSeconds(60))).isNotNull();
            Flux.concat(batch).blockLast(Duration.ofSeconds(60));
            assertThat(runs).as("salts of each run")
                    .containsExactly(List.of(0, 1), List.of(9), List.of(2, 3), List.of(4));
        } finally {
            runner.dispose();
        }
    }

    @Test
    void batchSegmentsTakeAtMostTheirShareOfTheQueueAndInteractiveOnesStillQueue() throws Exception {
        Scheduler runner = Schedulers.newSingle("test-runner");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(zoo("gemma2-tiny"), options)) {
            SegmentBatcher batcher = new SegmentBatcher(8, Duration.ZERO, 4, 2, YIELD, runner);
            CountDownLatch release = new CountDownLatch(1);
            runner.schedule(() -> await(release));
            List<Mono<SegmentOutput>> accepted = new ArrayList<>();
            for (int salt = 0; salt < 2; salt++) {
                accepted.add(batcher.submit(model, "batch-" + salt, Priority.BATCH, input(model, salt),
                        new SegmentTimings()).cache());
            }
            accepted.forEach(Mono::subscribe);

            assertThatThrownBy(() -> batcher.submit(model, "batch-2", Priority.BATCH, input(model, 2),
                    new SegmentTimings()).block(Duration.ofSeconds(30)))
                    .isInstanceOf(ServiceBusyException.class)
                    .hasMessageContaining("baton.admission.batch-share")
                    .satisfies(e -> assertThat(((ServiceBusyException) e).properties()).containsKey("retryAfter"));
            for (int salt = 3; salt < 5; salt++) {
                Mono<SegmentOutput> interactive = batcher.submit(model, "interactive-" + salt, Priority.INTERACTIVE,
                        input(model, salt), new SegmentTimings()).cache();
                interactive.subscribe();
                accepted.add(interactive);
            }
            assertThat(batcher.queued()).as("the interactive segments took the places batch work left").isEqualTo(4);
            release.countDown();
            assertThat(Flux.concat(accepted).collectList().block(Duration.ofSeconds(60))).hasSize(4);
            assertThat(batcher.submit(model, "batch-2", Priority.BATCH, input(model, 2), new SegmentTimings())
                    .block(Duration.ofSeconds(60))).as("a batch segment queues again once the queue drained").isNotNull();
        } finally {
            runner.dispose();
        }
    }

    @Test
    void noBatchRunStartsBesideAnInteractiveRunOrWithinTheQuietTimeAfterOne() throws Exception {
        Scheduler runner = Schedulers.newBoundedElastic(2, 1000, "test-runner");
        Duration quiet = Duration.ofMillis(200);
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(zoo("gemma2-tiny"), options)) {
            // Each run logged as (priority, start, end) in System.nanoTime; two runner threads, so
            // without the yield a batch run would start on the thread the interactive one left free.
            List<long[]> runs = new CopyOnWriteArrayList<>();
            SegmentBatcher batcher = new SegmentBatcher(8, Duration.ZERO, 256, 256,
                    new SegmentBatcher.Yield(quiet, Duration.ofMinutes(1)), runner, (m, documents, inputs) -> {
                        boolean interactive = inputs.get(0).tokens()[0] == 73;
                        long start = System.nanoTime();
                        List<SegmentOutput> outputs = m.run(inputs);
                        runs.add(new long[] {interactive ? 1 : 0, start, System.nanoTime()});
                        return outputs;
                    });
            // Interactive work first: every batch segment below comes within the quiet time of it.
            batcher.submit(model, "interactive-0", Priority.INTERACTIVE,
                    new SegmentInput(new long[] {73, 105, 64}, model.initialState(1)), new SegmentTimings())
                    .block(Duration.ofSeconds(60));
            List<Mono<SegmentOutput>> all = new ArrayList<>();
            for (int salt = 0; salt < 6; salt++) {
                all.add(batcher.submit(model, "batch-" + salt, Priority.BATCH, input(model, salt), new SegmentTimings())
                        .cache());
                all.get(all.size() - 1).subscribe();
                // Interactive segments (first token 73) of three documents, one after another.
                Mono<SegmentOutput> interactive = batcher.submit(model, "interactive-" + (salt % 3),
                        Priority.INTERACTIVE, new SegmentInput(new long[] {73, 105, 65 + salt}, model.initialState(1)),
                        new SegmentTimings()).cache();
                all.add(interactive);
                interactive.block(Duration.ofSeconds(60));
            }
            assertThat(Flux.concat(all).collectList().block(Duration.ofSeconds(60))).hasSize(12);

            List<long[]> interactiveRuns = runs.stream().filter(r -> r[0] == 1).toList();
            List<long[]> batchRuns = runs.stream().filter(r -> r[0] == 0).toList();
            assertThat(interactiveRuns).hasSize(7);
            assertThat(batchRuns).as("the batch segments ran, all at once after the interactive work").hasSize(1);
            for (long[] batchRun : batchRuns) {
                for (long[] interactiveRun : interactiveRuns) {
                    assertThat(batchRun[1] >= interactiveRun[2] + quiet.toNanos() || batchRun[2] <= interactiveRun[1])
                            .as("a batch run [%d, %d] beside or within the quiet time after an interactive run [%d, %d]",
                                    batchRun[1], batchRun[2], interactiveRun[1], interactiveRun[2]).isTrue();
                }
            }
        } finally {
            runner.dispose();
        }
    }

    @Test
    void aBatchSegmentRunsAfterTheLongestYieldUnderASteadyStreamOfInteractiveOnes() throws Exception {
        Scheduler runner = Schedulers.newBoundedElastic(2, 1000, "test-runner");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(zoo("gemma2-tiny"), options)) {
            // A quiet time longer than the test: only the longest yield (300 ms) lets the batch run.
            SegmentBatcher batcher = new SegmentBatcher(8, Duration.ZERO, 256, 256,
                    new SegmentBatcher.Yield(Duration.ofMinutes(5), Duration.ofMillis(300)), runner);
            Mono<SegmentOutput> interactive = batcher.submit(model, "interactive", Priority.INTERACTIVE,
                    input(model, 9), new SegmentTimings());
            interactive.block(Duration.ofSeconds(60));
            long queued = System.nanoTime();
            Mono<SegmentOutput> batch = batcher.submit(model, "batch", Priority.BATCH, input(model, 0),
                    new SegmentTimings()).cache();
            batch.subscribe();
            int interactiveRuns = 0;
            while (!batch.toFuture().isDone() && interactiveRuns < 10_000) {
                interactive.block(Duration.ofSeconds(60));
                interactiveRuns++;
            }
            long yielded = System.nanoTime() - queued;

            assertThat(batch.toFuture()).as("the batch segment ran while interactive ones kept coming").isDone();
            assertThat(batch.block()).isNotNull();
            assertThat(Duration.ofNanos(yielded)).as("it yielded first").isGreaterThanOrEqualTo(Duration.ofMillis(300));
            assertThat(interactiveRuns).isGreaterThan(1);
        } finally {
            runner.dispose();
        }
    }

    @Test
    void aShorterSegmentOfARaggedModelRunsInTheSameBatchAsTheFullOnes() throws Exception {
        Scheduler runner = Schedulers.newSingle("test-runner");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(raggedZooModel(), options)) {
            List<List<Integer>> runs = new CopyOnWriteArrayList<>();
            List<Integer> sizes = new CopyOnWriteArrayList<>();
            SegmentBatcher batcher = new SegmentBatcher(8, Duration.ZERO, 256, 256, YIELD, runner, (m, documents, inputs) -> {
                runs.add(inputs.stream().map(in -> in.tokens().length).toList());
                return m.run(inputs, SegmentModel.Fetch.TOKEN_NLL);
            });
            batcher.observeBatches(sizes::add);
            // Three full segments and a document's last, shorter one queue while the runner is busy.
            List<SegmentInput> inputs = List.of(full(model, 0), full(model, 1), last(model, 5), full(model, 2));
            List<SegmentOutput> outputs = runHeld(batcher, runner, model, inputs);

            assertThat(runs).as("segment lengths of each run: the shorter one joins the full ones")
                    .containsExactly(List.of(24, 24, 5, 24));
            assertThat(sizes).as("baton.inference.batch.size's observations").containsExactly(4);
            for (int i = 0; i < inputs.size(); i++) {
                SegmentOutput alone = scoredAlone(model, inputs.get(i));
                assertThat(outputs.get(i).tokenNll().shape()).as("segment %d", i).containsExactly(alone.tokenNll().shape());
                assertThat(outputs.get(i).tokenNll().maxAbsDifference(alone.tokenNll())).as("segment %d", i)
                        .isLessThanOrEqualTo(1e-5);
                assertThat(outputs.get(i).next().tokens()).isEqualTo(inputs.get(i).tokens().length);
            }
        } finally {
            runner.dispose();
        }
    }

    @Test
    void withoutRaggedBatchesAShorterSegmentRunsInALaneOfItsLength() throws Exception {
        Scheduler runner = Schedulers.newSingle("test-runner");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(raggedZooModel(), options);
             SegmentModel old = SegmentModel.load(Path.of("src/test/resources/before-token-nll/gemma2-tiny"), options)) {
            // A ragged model whose runner does not take ragged batches, and a model without them.
            List<List<Integer>> runs = new CopyOnWriteArrayList<>();
            SegmentBatcher batcher = new SegmentBatcher(8, Duration.ZERO, 256, 256, YIELD, runner, new SegmentBatcher.Runs() {
                @Override
                public List<SegmentOutput> run(SegmentModel m, List<String> documents, List<SegmentInput> inputs) {
                    runs.add(inputs.stream().map(in -> in.tokens().length).toList());
                    return m.run(inputs, SegmentModel.Fetch.TOKEN_NLL);
                }

                @Override
                public boolean takesRaggedBatches(SegmentModel m) {
                    return false;
                }
            });
            assertThat(model.plan().ragged()).isTrue();
            runHeld(batcher, runner, model, List.of(full(model, 0), full(model, 1), last(model, 5), full(model, 2)));
            assertThat(runs).as("a runner that does not take ragged batches").containsExactly(List.of(24, 24, 24), List.of(5));

            runs.clear();
            SegmentBatcher plain = new SegmentBatcher(8, Duration.ZERO, 256, 256, YIELD, runner, (m, documents, inputs) -> {
                runs.add(inputs.stream().map(in -> in.tokens().length).toList());
                return m.run(inputs, SegmentModel.Fetch.TOKEN_NLL);
            });
            assertThat(old.plan().ragged()).isFalse();
            runHeld(plain, runner, old, List.of(full(old, 0), full(old, 1), last(old, 5), full(old, 2)));
            assertThat(runs).as("a model without ragged batches").containsExactly(List.of(24, 24, 24), List.of(5));
        } finally {
            runner.dispose();
        }
    }

    /** A tiny zoo model that takes ragged batches (the zoo's tiny models are exported with them). */
    static Path raggedZooModel() throws Exception {
        try (java.util.stream.Stream<Path> dirs = java.nio.file.Files.list(zoo(""))) {
            return dirs.filter(d -> d.getFileName().toString().endsWith("-tiny")).sorted()
                    .filter(d -> StatePlan.read(d.resolve("baton-model.json")).ragged()).findFirst()
                    .orElseThrow(() -> new AssertionError("no tiny zoo model says \"ragged\": true"));
        }
    }

    /** Submits {@code inputs} (documents doc-0, doc-1, ...) while the runner is held, then lets them run. */
    static List<SegmentOutput> runHeld(SegmentBatcher batcher, Scheduler runner, SegmentModel model,
                                       List<SegmentInput> inputs) {
        CountDownLatch release = new CountDownLatch(1);
        runner.schedule(() -> await(release));
        List<Mono<SegmentOutput>> results = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            results.add(batcher.submit(model, "doc-" + i, inputs.get(i)).cache());
        }
        results.forEach(Mono::subscribe);
        release.countDown();
        return Flux.concat(results).collectList().block(Duration.ofSeconds(60));
    }

    /** A full-length segment (24 tokens) of a fresh document. */
    static SegmentInput full(SegmentModel model, int salt) {
        long[] tokens = new long[24];
        for (int t = 0; t < tokens.length; t++) {
            tokens[t] = 65 + (salt * 7 + t) % 26;
        }
        return new SegmentInput(tokens, model.initialState(1));
    }

    /** A document's last segment, shorter than the full ones. */
    static SegmentInput last(SegmentModel model, int length) {
        long[] tokens = new long[length];
        for (int t = 0; t < length; t++) {
            tokens[t] = 97 + t;
        }
        return new SegmentInput(tokens, model.initialState(1));
    }

    /** The segment run alone, fetching what the batcher fetches. */
    static SegmentOutput scoredAlone(SegmentModel model, SegmentInput input) {
        return model.run(List.of(input), SegmentModel.Fetch.TOKEN_NLL).get(0);
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
