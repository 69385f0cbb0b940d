package io.baton.inference.segments;

import io.baton.inference.admission.ServiceBusyException;
import io.baton.inference.models.SegmentInput;
import io.baton.inference.models.SegmentModel;
import io.baton.inference.models.SegmentOutput;
import io.baton.inference.models.SegmentRunner;
import io.baton.inference.runtime.OnnxRuntimeException;
import io.baton.inference.segments.SegmentTimings.Step;
import io.baton.protocol.deadlines.Deadline;
import io.baton.protocol.deadlines.DeadlineExceededException;
import io.baton.protocol.inference.Priority;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * Runs segments of different documents together (continuous batching). Segments queue per key, a
 * <i>lane</i>; while a batch of that key is running, new segments wait, and the moment it finishes
 * the next batch takes up to {@code maxBatch} of them.
 *
 * <p><b>Lanes.</b> A model whose runner takes ragged batches ({@link
 * SegmentRunner#takesRaggedBatches()}: its plan says {@code "ragged": true}, and both the heap run
 * and the resident runner pad rows on the right) has one lane for segments of every length: a
 * document's last, shorter segment runs with the full-length segments of the others instead of
 * alone. Any other model has a lane per (model, segment length), as segments of different lengths
 * cannot share its run. A ragged lane takes its segments in arrival order whatever their lengths; it
 * does not prefer equal lengths. Each row is padded to the batch's longest segment, which costs the
 * padded positions' compute (on a CPU about in proportion to tokens), but with the gateway's exact cut
 * only a document's last segment is shorter, once per document, while holding it back for a partner
 * of its own length leaves it to run alone, a whole run for one segment (on the GPU, 128 of the 136
 * runs of one segment in issue 16's real traffic; docs/performance.md, "Ragged lanes").
 *
 * <p>With {@code maxWait} 0 (the default) nothing ever waits: an idle key runs a segment at once,
 * and a finished batch is followed at once by whatever queued meanwhile. With a positive
 * {@code maxWait}, the batcher waits up to that long for company: an idle key holds its first
 * segment, and after a batch it holds the next one until the documents that just ran are back
 * (their next segment usually follows within a client round trip), so documents that arrived at
 * different times end up in one batch instead of alternating in two groups that never merge.
 * A document that does not come back (its last segment ran) costs one wait of {@code maxWait}.
 *
 * <p>A document's own segments are never in one batch (a second segment of a document already
 * in the batch waits for the next one) and never reordered (FIFO per key and priority). Runs
 * happen on the given scheduler, never on the caller's thread, one batch of a key at a time.
 *
 * <p><b>Interactive first.</b> Each segment has a {@link Priority}. A batch holds segments of one
 * priority only, and a key's next batch is of its interactive segments while any waits. Batch
 * segments <i>yield</i> ({@link Yield}): a key about to run batch segments while interactive work
 * is about (an interactive segment queued in any key, an interactive run executing, or one that
 * ended less than {@code quiet} ago) stops instead (it is <i>parked</i>) and leaves the runner
 * threads, and the cores, to the interactive work. The quiet time covers the gaps inside an
 * interactive request (its document's next segment comes after its state was stored) and between
 * a client's requests, so that batch runs do not slip into them and share the cores with the
 * interactive run that follows. Parked keys start again once the interactive work has been quiet
 * that long, or once their oldest segment has yielded for {@code maxYield}: under a steady
 * stream of interactive requests batch work still moves, a batch run per key at least every
 * {@code maxYield}. An interactive segment that arrives while a batch run executes waits for at
 * most that run (runs are never interrupted). Interactive and batch segments are never joined: on
 * a CPU a run costs in proportion to its segments, so batch segments in an interactive run would
 * slow it by their share. Batch segments take at most {@code maxQueuedBatch} of the {@code
 * maxQueued} places, so they never fill the queue for interactive ones.
 *
 * <p>It cannot wedge, and it does no work nobody waits for:
 * <ul>
 *   <li>at most {@code maxQueued} segments wait, over all keys, {@code maxQueuedBatch} of them
 *       batch segments; one more is refused at once with {@link ServiceBusyException} (503 and
 *       {@code Retry-After});
 *   <li>when the scheduler refuses a drain, the key's waiting segments fail {@code service-busy}
 *       and the key is forgotten, so the next segment starts afresh;
 *   <li>a segment whose caller cancelled (a gateway that timed out or went away) leaves the queue
 *       at once, and one whose request {@link Deadline} passed while it waited fails with {@link
 *       DeadlineExceededException} instead of running;
 *   <li>a batch whose run throws, an {@link Error} included, runs again one segment at a time, so
 *       that a failing input fails only its own document, and the key keeps draining.
 * </ul>
 */
public final class SegmentBatcher {

    private static final Logger log = LoggerFactory.getLogger(SegmentBatcher.class);

    /**
     * How a batch of one key runs: the model's {@link SegmentRunners runner} (which fetches each
     * token's NLL and not the logits: segments read nothing else), or in a test a wrapper around it.
     */
    @FunctionalInterface
    interface Runs {
        List<SegmentOutput> run(SegmentModel model, List<String> documents, List<SegmentInput> inputs);

        /** Whether {@link #run} takes {@code model}'s segments of different lengths in one batch (its lanes). */
        default boolean takesRaggedBatches(SegmentModel model) {
            return model.plan().ragged();
        }
    }

    private final int maxBatch;
    private final Duration maxWait;
    private final int maxQueued;
    private final int maxQueuedBatch;
    private final Yield yield;
    private final Scheduler runner;
    private final Runs runs;
    private final Map<Key, Lane> lanes = new HashMap<>();
    /** Keys that stopped before a batch run to let interactive work go first, in order (guarded by {@code lanes}). */
    private final Set<Key> parked = new LinkedHashSet<>();
    private final AtomicLong batches = new AtomicLong();
    private volatile Consumer<Throwable> deviceLost = e -> {
    };
    private volatile IntConsumer batchSizes = size -> {
    };
    private final AtomicLong segments = new AtomicLong();
    /** Numbers the scheduled drains; only a lane's latest one runs (guarded by {@code lanes}). */
    private long tickets;
    /** Segments waiting in all lanes, and the batch segments among them (guarded by {@code lanes}). */
    private int queued;
    private int queuedBatch;
    /** Interactive runs executing, when the last one ended (System.nanoTime), whether one ever ran (guarded by {@code lanes}). */
    private int interactiveRunning;
    private long interactiveEndedAt;
    private boolean interactiveRan;
    /** When the wake-up of the parked keys is due, if one is scheduled (guarded by {@code lanes}). */
    private long wakeAt;
    private boolean wakeScheduled;

    /**
     * How batch segments yield to interactive ones.
     *
     * @param quiet    how long after the last interactive run batch runs still wait
     * @param maxYield the longest a batch segment yields: then it runs even beside interactive work
     */
    public record Yield(Duration quiet, Duration maxYield) {

        public Yield {
            if (quiet.isNegative() || maxYield.isNegative()) {
                throw new IllegalArgumentException("the quiet time and the longest yield must not be negative");
            }
        }
    }

    /**
     * @param maxBatch       the most segments one run takes
     * @param maxWait        how long a key may wait for company (0: never)
     * @param maxQueued      the most segments waiting at once over all keys
     * @param maxQueuedBatch the most {@link Priority#BATCH} segments among them
     * @param yield          how batch segments yield to interactive ones
     * @param runner         where runs happen
     */
    public SegmentBatcher(int maxBatch, Duration maxWait, int maxQueued, int maxQueuedBatch, Yield yield,
                          Scheduler runner) {
        this(maxBatch, maxWait, maxQueued, maxQueuedBatch, yield, runner, SegmentRunners.heap());
    }

    /** As above, each model's batches run by its runner in {@code runners}. */
    public SegmentBatcher(int maxBatch, Duration maxWait, int maxQueued, int maxQueuedBatch, Yield yield,
                          Scheduler runner, SegmentRunners runners) {
        this(maxBatch, maxWait, maxQueued, maxQueuedBatch, yield, runner, new Runs() {
            @Override
            public List<SegmentOutput> run(SegmentModel model, List<String> documents, List<SegmentInput> inputs) {
                return runners.run(model, documents, inputs);
            }

            @Override
            public boolean takesRaggedBatches(SegmentModel model) {
                return runners.takesRaggedBatches(model);
            }
        });
    }

    SegmentBatcher(int maxBatch, Duration maxWait, int maxQueued, int maxQueuedBatch, Yield yield, Scheduler runner,
                   Runs runs) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1");
        }
        if (maxQueued < 1) {
            throw new IllegalArgumentException("maxQueued must be at least 1");
        }
        if (maxQueuedBatch < 1 || maxQueuedBatch > maxQueued) {
            throw new IllegalArgumentException("maxQueuedBatch must be between 1 and maxQueued");
        }
        this.maxBatch = maxBatch;
        this.maxWait = maxWait;
        this.maxQueued = maxQueued;
        this.maxQueuedBatch = maxQueuedBatch;
        this.yield = yield;
        this.runner = runner;
        this.runs = runs;
    }

    /** Queues one document's interactive segment; completes with its output when its batch has run. */
    public Mono<SegmentOutput> submit(SegmentModel model, String document, SegmentInput input) {
        return submit(model, document, Priority.INTERACTIVE, input, new SegmentTimings());
    }

    /**
     * Queues one document's segment of {@code priority}; completes with its output when its batch
     * has run, having added the segment's {@code queue} and {@code run} times to {@code timings}.
     * Fails at once with {@link ServiceBusyException} when the queues are full (for a batch
     * segment: when batch segments hold their share of them), and with {@link
     * DeadlineExceededException} when the request's deadline (in the subscriber's context) passes
     * before the segment runs; cancelling drops the segment if it has not started.
     */
    public Mono<SegmentOutput> submit(SegmentModel model, String document, Priority priority, SegmentInput input,
                                      SegmentTimings timings) {
        return Mono.deferContextual(context -> {
            Deadline deadline = Deadline.of(context);
            if (deadline != null && deadline.passed()) {
                return Mono.error(expired(document));
            }
            Pending pending = new Pending(document, priority, input, timings, deadline);
            Key key = Key.of(model, input, runs.takesRaggedBatches(model));
            List<Failure> failures = new ArrayList<>();
            synchronized (lanes) {
                if (queued >= maxQueued) {
                    return Mono.error(new ServiceBusyException("inference has " + queued
                            + " segments waiting to run, as many as it queues (baton.batching.max-queued); retry later"));
                }
                if (priority == Priority.BATCH && queuedBatch >= maxQueuedBatch) {
                    return Mono.error(new ServiceBusyException("inference has " + queuedBatch
                            + " batch segments waiting to run, the share of its queue batch work may take "
                            + "(baton.admission.batch-share of baton.batching.max-queued); retry later"));
                }
                Lane lane = lanes.computeIfAbsent(key, k -> new Lane());
                lane.queue(priority).add(pending);
                queued++;
                if (priority == Priority.BATCH) {
                    queuedBatch++;
                }
                if (!lane.scheduled) {
                    lane.scheduled = true;
                    schedule(key, lane, maxWait.toNanos(), failures);
                } else if (priority == Priority.INTERACTIVE && parked.remove(key)) {
                    schedule(key, lane, 0, failures);
                } else if (lane.holding && candidates(lane).size() >= wanted(lane)) {
                    lane.holding = false;
                    schedule(key, lane, 0, failures);
                }
                resumeParked(failures);
            }
            failures.forEach(Failure::emit);
            return pending.result.asMono().doOnCancel(() -> cancel(key, pending));
        });
    }

    /** Batches run so far. */
    public long batchesRun() {
        return batches.get();
    }

    /** Segments run so far (segments per batch = segmentsRun / batchesRun). */
    public long segmentsRun() {
        return segments.get();
    }

    /** Segments waiting to run now, over all keys. */
    public int queued() {
        synchronized (lanes) {
            return queued;
        }
    }

    /**
     * Schedules a drain of {@code key} after {@code delayNanos}, replacing any scheduled before
     * (under the lock). When the scheduler refuses (full or shut down), the lane is given up: its
     * waiting segments go to {@code failures} as {@code service-busy}, and the key starts afresh
     * with the next segment.
     */
    private void schedule(Key key, Lane lane, long delayNanos, List<Failure> failures) {
        long ticket = ++tickets;
        lane.ticket = ticket;
        try {
            if (delayNanos <= 0) {
                runner.schedule(() -> drain(key, ticket));
            } else {
                runner.schedule(() -> drain(key, ticket), delayNanos, TimeUnit.NANOSECONDS);
            }
        } catch (RejectedExecutionException rejected) {
            log.warn("the runner refused to run segments of model {}: {}", key.model.id(), rejected.toString());
            lanes.remove(key);
            parked.remove(key);
            ServiceBusyException busy = new ServiceBusyException("the model runner is at capacity; retry later", rejected);
            for (Priority priority : Priority.values()) {
                Deque<Pending> queue = lane.queue(priority);
                queue.forEach(p -> {
                    dequeued(p);
                    failures.add(new Failure(p, busy));
                });
                queue.clear();
            }
        }
    }

    /** Drops a segment whose caller cancelled, if it still waits. */
    private void cancel(Key key, Pending pending) {
        List<Failure> failures = new ArrayList<>();
        synchronized (lanes) {
            Lane lane = lanes.get(key);
            if (lane != null && lane.queue(pending.priority).remove(pending)) {
                dequeued(pending);
                resumeParked(failures);
            }
        }
        failures.forEach(Failure::emit);
    }

    /** Counts a segment out of the queues (under the lock). */
    private void dequeued(Pending pending) {
        queued--;
        if (pending.priority == Priority.BATCH) {
            queuedBatch--;
        }
    }

    /** Whether interactive work is queued or running now (under the lock). */
    private boolean interactiveBusy() {
        if (interactiveRunning > 0) {
            return true;
        }
        for (Lane lane : lanes.values()) {
            if (!lane.interactive.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code lane}'s batch segments yield now: interactive work is busy or was less than
     * the quiet time ago, and its oldest batch segment has yielded less than the longest yield
     * (under the lock).
     */
    private boolean yields(Lane lane, long now) {
        Pending oldest = lane.batch.peekFirst();
        if (oldest == null || now - oldest.submitted >= yield.maxYield().toNanos()) {
            return false;
        }
        return interactiveBusy() || interactiveRan && now - interactiveEndedAt < yield.quiet().toNanos();
    }

    /**
     * Schedules the parked keys that no longer yield, in the order they stopped, and a wake-up for
     * when the next of the others stops yielding: the quiet time's end (unless interactive work is
     * busy: its end calls this again) or its oldest segment's longest yield (lock held).
     */
    private void resumeParked(List<Failure> failures) {
        if (parked.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        Long next = null;
        for (Iterator<Key> it = parked.iterator(); it.hasNext(); ) {
            Key key = it.next();
            Lane lane = lanes.get(key);
            if (lane == null) {
                it.remove();
            } else if (!yields(lane, now)) {
                it.remove();
                schedule(key, lane, 0, failures);
            } else {
                long due = lane.batch.peekFirst().submitted + yield.maxYield().toNanos();
                if (!interactiveBusy()) {
                    due = Math.min(due, interactiveEndedAt + yield.quiet().toNanos());
                }
                next = next == null ? due : Math.min(next, due);
            }
        }
        if (next != null) {
            wakeParkedAt(next, failures);
        }
    }

    /**
     * Runs {@link #resumeParked} at {@code at} (System.nanoTime) unless a wake-up no later is
     * scheduled (lock held). When the runner refuses it, the parked keys start now instead: batch
     * work never waits for a wake-up that will not come.
     */
    private void wakeParkedAt(long at, List<Failure> failures) {
        if (wakeScheduled && wakeAt - at <= 0) {
            return;
        }
        wakeScheduled = true;
        wakeAt = at;
        try {
            runner.schedule(() -> {
                List<Failure> later = new ArrayList<>();
                synchronized (lanes) {
                    if (wakeScheduled && wakeAt == at) {
                        wakeScheduled = false;
                    }
                    resumeParked(later);
                }
                later.forEach(Failure::emit);
            }, Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException rejected) {
            wakeScheduled = false;
            List<Key> all = new ArrayList<>(parked);
            parked.clear();
            for (Key key : all) {
                Lane lane = lanes.get(key);
                if (lane != null) {
                    schedule(key, lane, 0, failures);
                }
            }
        }
    }

    /** Runs batches of {@code key} until its queue is empty or it holds for company. */
    private void drain(Key key, long ticket) {
        while (true) {
            List<Failure> failures = new ArrayList<>();
            List<Pending> batch = take(key, ticket, failures);
            failures.forEach(Failure::emit);
            if (batch.isEmpty()) {
                return;
            }
            try {
                run(key.model, batch);
            } finally {
                synchronized (lanes) {
                    Lane lane = lanes.get(key);
                    long ended = System.nanoTime();
                    if (batch.get(0).priority == Priority.INTERACTIVE) {
                        interactiveRunning--;
                        interactiveEndedAt = ended;
                        interactiveRan = true;
                    }
                    if (lane != null) {
                        lane.recent = batch.stream().map(Pending::document).collect(Collectors.toSet());
                        lane.recentPriority = batch.get(0).priority;
                        lane.ranAt = ended;
                    }
                }
            }
        }
    }

    /**
     * Tells {@code lost} of a run that failed because its device is lost ({@link DeviceFaults}: a sticky CUDA
     * error): no later run in this process can succeed, so the service reports itself broken and is restarted.
     */
    public void onDeviceLost(Consumer<Throwable> lost) {
        this.deviceLost = lost;
    }

    /** Tells {@code sizes} the segments of every model run that succeeds from now on (a meter). */
    public void observeBatches(IntConsumer sizes) {
        this.batchSizes = sizes;
    }

    /**
     * Runs {@code batch} and hands each segment its output. When the run throws (whatever it
     * throws: an {@link OutOfMemoryError} on a large batch as much as a bad input), a batch of
     * several runs again one segment at a time, so that only the segment at fault fails; unless the device is
     * lost, when every segment of the batch fails at once and {@link #onDeviceLost} hears of it.
     */
    private void run(SegmentModel model, List<Pending> batch) {
        long started = System.nanoTime();
        List<SegmentOutput> outputs;
        try {
            outputs = runs.run(model, batch.stream().map(p -> p.document).toList(), batch.stream().map(p -> p.input).toList());
        } catch (Throwable e) {
            if (DeviceFaults.lost(e)) {
                log.error("a batch of {} segments of model {} failed and its device is lost ({}); failing them all",
                        batch.size(), model.id(), e.toString());
                deviceLost.accept(e);
                // retryable (503 onnx-runtime): the segment is sound, another replica can run it
                OnnxRuntimeException lost = new OnnxRuntimeException("the model's device is lost: " + e, e);
                batch.forEach(p -> p.result.tryEmitError(lost));
            } else if (batch.size() > 1) {
                log.warn("a batch of {} segments of model {} failed ({}); running them one at a time", batch.size(),
                        model.id(), e.toString());
                batch.forEach(p -> run(model, List.of(p)));
            } else {
                log.warn("a segment of model {} failed: {}", model.id(), e.toString());
                batch.get(0).result.tryEmitError(e instanceof RuntimeException runtime ? runtime
                        : new OnnxRuntimeException("the model run failed: " + e, e));
            }
            return;
        }
        long ended = System.nanoTime();
        batches.incrementAndGet();
        segments.addAndGet(batch.size());
        batchSizes.accept(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            p.timings.add(Step.QUEUE, p.submitted, started);
            p.timings.add(Step.RUN, started, ended);
            p.result.tryEmitValue(outputs.get(i));
        }
    }

    /**
     * The next batch: up to maxBatch queued segments of distinct documents and one priority,
     * interactive first, FIFO. Segments whose deadline passed leave the queue first (into {@code
     * failures}). Empty when this drain is not the lane's latest ({@code ticket}), when the next
     * batch would be of batch segments that yield to interactive work (the lane is parked), when
     * the lane holds for the documents that just ran (a drain is scheduled for the end of the
     * wait), or when there is nothing to run (the lane is then idle and removed). Parked lanes
     * start again once they no longer yield.
     */
    private List<Pending> take(Key key, long ticket, List<Failure> failures) {
        synchronized (lanes) {
            try {
                return nextBatch(key, ticket, failures);
            } finally {
                resumeParked(failures);
            }
        }
    }

    /** {@link #take}, less starting parked lanes again (under the lock). */
    private List<Pending> nextBatch(Key key, long ticket, List<Failure> failures) {
        Lane lane = lanes.get(key);
        if (lane == null || lane.ticket != ticket) {
            return List.of();
        }
        for (Priority priority : Priority.values()) {
            for (Iterator<Pending> it = lane.queue(priority).iterator(); it.hasNext(); ) {
                Pending p = it.next();
                if (p.deadline != null && p.deadline.passed()) {
                    it.remove();
                    dequeued(p);
                    failures.add(new Failure(p, expired(p.document)));
                }
            }
        }
        Priority next = lane.nextPriority();
        if (next == Priority.BATCH && yields(lane, System.nanoTime())) {
            lane.holding = false;
            parked.add(key);
            return List.of();
        }
        List<Pending> batch = candidates(lane);
        long waited = System.nanoTime() - lane.ranAt;
        if (!lane.recent.isEmpty() && batch.size() < wanted(lane) && waited < maxWait.toNanos()) {
            lane.holding = true;
            schedule(key, lane, maxWait.toNanos() - waited, failures);
            return List.of();
        }
        lane.holding = false;
        if (batch.isEmpty()) {
            lanes.remove(key);
            return List.of();
        }
        lane.queue(next).removeAll(batch);
        batch.forEach(this::dequeued);
        if (next == Priority.INTERACTIVE) {
            interactiveRunning++;
        }
        return batch;
    }

    /**
     * The segments the next batch would take: the first queued of each document, FIFO, up to
     * maxBatch, all of the lane's next priority.
     */
    private List<Pending> candidates(Lane lane) {
        List<Pending> batch = new ArrayList<>();
        Set<String> documents = new HashSet<>();
        Deque<Pending> queue = lane.queue(lane.nextPriority());
        for (Iterator<Pending> it = queue.iterator(); it.hasNext() && batch.size() < maxBatch; ) {
            Pending p = it.next();
            if (documents.add(p.document)) {
                batch.add(p);
            }
        }
        return batch;
    }

    /**
     * How many documents the next batch waits for: those queued and those that just ran, of the
     * next batch's priority, up to maxBatch. Documents that just ran batch segments are not waited
     * for by interactive ones, which they would not join.
     */
    private int wanted(Lane lane) {
        Priority next = lane.nextPriority();
        Set<String> documents = new HashSet<>(lane.recentPriority == next ? lane.recent : Set.of());
        lane.queue(next).forEach(p -> documents.add(p.document));
        return Math.min(maxBatch, documents.size());
    }

    private static DeadlineExceededException expired(String document) {
        return new DeadlineExceededException("the request's deadline passed before the segment of " + document
                + " ran; it was dropped unrun");
    }

    /** A lane: a model and its segments' length, or {@link #ANY_LENGTH} for a model that takes ragged batches. */
    private record Key(SegmentModel model, int length) {

        static final int ANY_LENGTH = -1;

        static Key of(SegmentModel model, SegmentInput input, boolean ragged) {
            return new Key(model, ragged ? ANY_LENGTH : input.tokens().length);
        }
    }

    /** One key's queues (one per priority) and scheduling state, guarded by {@code lanes}. */
    private static final class Lane {
        final Deque<Pending> interactive = new ArrayDeque<>();
        final Deque<Pending> batch = new ArrayDeque<>();
        /** A drain is scheduled or running, or the lane is parked. */
        boolean scheduled;
        /** The scheduled drain waits for the documents of the last batch. */
        boolean holding;
        long ticket;
        /** The documents of the last batch, their priority, and when it ended. */
        Set<String> recent = Set.of();
        Priority recentPriority = Priority.INTERACTIVE;
        long ranAt;

        Deque<Pending> queue(Priority priority) {
            return priority == Priority.BATCH ? batch : interactive;
        }

        /** The priority of the next batch: interactive while any waits; with nothing queued, that of the last batch. */
        Priority nextPriority() {
            if (!interactive.isEmpty()) {
                return Priority.INTERACTIVE;
            }
            return batch.isEmpty() ? recentPriority : Priority.BATCH;
        }
    }

    /** A waiting segment; compared by identity (it is removed from its queue by itself). */
    private static final class Pending {
        final String document;
        final Priority priority;
        final SegmentInput input;
        final Sinks.One<SegmentOutput> result = Sinks.one();
        final SegmentTimings timings;
        final Deadline deadline;
        final long submitted = System.nanoTime();

        Pending(String document, Priority priority, SegmentInput input, SegmentTimings timings, Deadline deadline) {
            this.document = document;
            this.priority = priority;
            this.input = input;
            this.timings = timings;
            this.deadline = deadline;
        }

        String document() {
            return document;
        }
    }

    /** A segment to fail, once the lock is let go (a subscriber may run on the emitting thread). */
    private record Failure(Pending pending, Throwable error) {
        void emit() {
            pending.result.tryEmitError(error);
        }
    }
}
