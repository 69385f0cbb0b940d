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
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * Runs segments of different documents together (continuous batching). Segments queue per
 * (model, segment length); while a batch of that key is running, new segments wait, and the
 * moment it finishes the next batch takes up to {@code maxBatch} of them. An idle key runs a
 * segment at once, or after {@code maxWait} when that is positive, to gather company.
 *
 * <p>A document's own segments are never in one batch (a second segment of a document already
 * in the batch waits for the next one) and never reordered (FIFO per key). Runs happen on the
 * given scheduler, never on the caller's thread.
 */
public final class SegmentBatcher {

    private static final Logger log = LoggerFactory.getLogger(SegmentBatcher.class);

    private final int maxBatch;
    private final Duration maxWait;
    private final Scheduler runner;
    private final Map<Key, Lane> lanes = new HashMap<>();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong segments = new AtomicLong();

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
            boolean start;
            synchronized (lanes) {
                Lane lane = lanes.computeIfAbsent(key, k -> new Lane());
                lane.queue.add(pending);
                start = !lane.running;
                lane.running = true;
            }
            if (start) {
                if (maxWait.isZero()) {
                    runner.schedule(() -> drain(key));
                } else {
                    runner.schedule(() -> drain(key), maxWait.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
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

    /** Runs batches of {@code key} until its queue is empty. */
    private void drain(Key key) {
        while (true) {
            List<Pending> batch = take(key);
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
            }
        }
    }

    /** Up to maxBatch queued segments of distinct documents, FIFO; marks the lane idle when empty. */
    private List<Pending> take(Key key) {
        synchronized (lanes) {
            Lane lane = lanes.get(key);
            List<Pending> batch = new ArrayList<>();
            Set<String> documents = new HashSet<>();
            for (Iterator<Pending> it = lane.queue.iterator(); it.hasNext() && batch.size() < maxBatch; ) {
                Pending p = it.next();
                if (documents.add(p.document)) {
                    batch.add(p);
                    it.remove();
                }
            }
            if (batch.isEmpty()) {
                lane.running = false;
                lanes.remove(key);
            }
            return batch;
        }
    }

    private record Key(SegmentModel model, int length) {
    }

    private static final class Lane {
        final Deque<Pending> queue = new ArrayDeque<>();
        boolean running;
    }

    private record Pending(String document, SegmentInput input, Sinks.One<SegmentOutput> result,
                           SegmentTimings timings, long submitted) {
    }
}
