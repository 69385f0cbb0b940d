package io.baton.inference.segments;

import io.baton.inference.models.SegmentInput;
import io.baton.inference.models.SegmentModel;
import io.baton.inference.models.SegmentOutput;
import io.baton.inference.segments.SegmentTimings.Step;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * Runs segments of different documents together (continuous batching). Segments queue per
 * (model, segment length); while a batch of that key is running, new segments wait, and the
 * moment it finishes the next batch takes up to {@code maxBatch} of them.
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
 * in the batch waits for the next one) and never reordered (FIFO per key). Runs happen on the
 * given scheduler, never on the caller's thread, one batch of a key at a time.
 */
public final class SegmentBatcher {

    private static final Logger log = LoggerFactory.getLogger(SegmentBatcher.class);

    private final int maxBatch;
    private final Duration maxWait;
    private final Scheduler runner;
    private final Map<Key, Lane> lanes = new HashMap<>();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong segments = new AtomicLong();
    /** Numbers the scheduled drains; only a lane's latest one runs (guarded by {@code lanes}). */
    private long tickets;

    public SegmentBatcher(int maxBatch, Duration maxWait, Scheduler runner) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1");
        }
        this.maxBatch = maxBatch;
        this.maxWait = maxWait;
        this.runner = runner;
    }

    /** Queues one document's segment; completes with its output when its batch has run. */
    public Mono<SegmentOutput> submit(SegmentModel model, String document, SegmentInput input) {
        return submit(model, document, input, new SegmentTimings());
    }

    /**
     * Queues one document's segment; completes with its output when its batch has run, having
     * added the segment's {@code queue} and {@code run} times to {@code timings}.
     */
    public Mono<SegmentOutput> submit(SegmentModel model, String document, SegmentInput input, SegmentTimings timings) {
        return Mono.defer(() -> {
            Pending pending = new Pending(document, input, Sinks.one(), timings, System.nanoTime());
            Key key = new Key(model, input.tokens().length);
            synchronized (lanes) {
                Lane lane = lanes.computeIfAbsent(key, k -> new Lane());
                lane.queue.add(pending);
                if (!lane.scheduled) {
                    lane.scheduled = true;
                    schedule(key, lane, maxWait.toNanos());
                } else if (lane.holding && candidates(lane).size() >= wanted(lane)) {
                    lane.holding = false;
                    schedule(key, lane, 0);
                }
            }
            return pending.result.asMono();
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

    /** Schedules a drain of {@code key} after {@code delayNanos}, replacing any scheduled before (under the lock). */
    private void schedule(Key key, Lane lane, long delayNanos) {
        long ticket = ++tickets;
        lane.ticket = ticket;
        if (delayNanos <= 0) {
            runner.schedule(() -> drain(key, ticket));
        } else {
            runner.schedule(() -> drain(key, ticket), delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Runs batches of {@code key} until its queue is empty or it holds for company. */
    private void drain(Key key, long ticket) {
        while (true) {
            List<Pending> batch = take(key, ticket);
            if (batch.isEmpty()) {
                return;
            }
            long started = System.nanoTime();
            try {
                List<SegmentOutput> outputs = key.model.run(batch.stream().map(p -> p.input).toList());
                long ended = System.nanoTime();
                batches.incrementAndGet();
                segments.addAndGet(batch.size());
                for (int i = 0; i < batch.size(); i++) {
                    Pending p = batch.get(i);
                    p.timings.add(Step.QUEUE, p.submitted, started);
                    p.timings.add(Step.RUN, started, ended);
                    p.result.tryEmitValue(outputs.get(i));
                }
            } catch (RuntimeException e) {
                log.warn("a batch of {} segments of model {} failed: {}", batch.size(), key.model.id(), e.toString());
                batch.forEach(p -> p.result.tryEmitError(e));
            } finally {
                synchronized (lanes) {
                    Lane lane = lanes.get(key);
                    lane.recent = batch.stream().map(Pending::document).collect(Collectors.toSet());
                    lane.ranAt = System.nanoTime();
                }
            }
        }
    }

    /**
     * The next batch: up to maxBatch queued segments of distinct documents, FIFO. Empty when this
     * drain is not the lane's latest ({@code ticket}), when the lane holds for the documents that
     * just ran (a drain is scheduled for the end of the wait), or when there is nothing to run
     * (the lane is then idle and removed).
     */
    private List<Pending> take(Key key, long ticket) {
        synchronized (lanes) {
            Lane lane = lanes.get(key);
            if (lane == null || lane.ticket != ticket) {
                return List.of();
            }
            List<Pending> batch = candidates(lane);
            long waited = System.nanoTime() - lane.ranAt;
            if (!lane.recent.isEmpty() && batch.size() < wanted(lane) && waited < maxWait.toNanos()) {
                lane.holding = true;
                schedule(key, lane, maxWait.toNanos() - waited);
                return List.of();
            }
            lane.holding = false;
            if (batch.isEmpty()) {
                lanes.remove(key);
                return List.of();
            }
            lane.queue.removeAll(batch);
            return batch;
        }
    }

    /** The segments the next batch would take: the first queued of each document, FIFO, up to maxBatch. */
    private List<Pending> candidates(Lane lane) {
        List<Pending> batch = new ArrayList<>();
        Set<String> documents = new HashSet<>();
        for (Iterator<Pending> it = lane.queue.iterator(); it.hasNext() && batch.size() < maxBatch; ) {
            Pending p = it.next();
            if (documents.add(p.document)) {
                batch.add(p);
            }
        }
        return batch;
    }

    /** How many documents the next batch waits for: those queued and those that just ran, up to maxBatch. */
    private int wanted(Lane lane) {
        Set<String> documents = new HashSet<>(lane.recent);
        lane.queue.forEach(p -> documents.add(p.document));
        return Math.min(maxBatch, documents.size());
    }

    private record Key(SegmentModel model, int length) {
    }

    /** One key's queue and scheduling state, guarded by {@code lanes}. */
    private static final class Lane {
        final Deque<Pending> queue = new ArrayDeque<>();
        /** A drain is scheduled or running. */
        boolean scheduled;
        /** The scheduled drain waits for the documents of the last batch. */
        boolean holding;
        long ticket;
        /** The documents of the last batch, and when it ended. */
        Set<String> recent = Set.of();
        long ranAt;
    }

    private record Pending(String document, SegmentInput input, Sinks.One<SegmentOutput> result,
                           SegmentTimings timings, long submitted) {
    }
}
