package io.baton.inference.segments;

import io.baton.inference.models.DocumentState;
import io.baton.protocol.memory.CheckpointDigest;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The latest segment of each document this instance is running or storing. A client may send a
 * document's segment n+1 before it has n's answer (pipelined segments, docs/reliability.md); when n is
 * in flight here, n+1 runs as soon as n has run, from the very state n ran to, while n's checkpoint
 * is still being written: the model run overlaps the write. A segment that follows is in flight from
 * the moment it begins to wait for its predecessor's state, so a chain of pipelined segments forms
 * however long its first takes to run. n+1's write names n's stored digest as its parent: known once
 * n's put is answered, or, putting ahead, the digest n's checkpoint gets when stored as sent (its
 * SHA-256, {@link Segment#predictedDigest}), which the memory service checks once n is stored. So
 * checkpoints are still stored in order, each once, and n+1's answer still waits for its durable write.
 *
 * <p>When n is not stored as the state it ran to (its write failed, it was cancelled, an earlier
 * attempt had stored other bytes, or the encoding is lossy), what n+1 computed from it is dropped
 * ({@link Abandoned}) and n+1 starts over as a segment arriving alone does. A segment that arrives
 * before its predecessor (two requests overtaking each other) waits for it a bounded time
 * ({@link #watch}). Thread-safe.
 */
final class InFlight {

    private final ConcurrentHashMap<String, Segment> latest = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<Watch>> watches = new ConcurrentHashMap<>();

    /**
     * Segment {@code index} of a document in flight: the state it ran to, once it has run, and its
     * checkpoint's stored digest, once stored as exactly that state.
     */
    static final class Segment {

        private final String model;
        private final long index;
        private final Sinks.One<DocumentState> ran = Sinks.one();
        private final Sinks.One<String> stored = Sinks.one();
        private final Sinks.One<byte[]> sent = Sinks.one();
        private volatile boolean abandoned;

        Segment(String model, long index) {
            this.model = model;
            this.index = index;
        }

        /** The state the segment ran to; an {@link Abandoned} error if it never ran. */
        Mono<DocumentState> next() {
            return ran.asMono();
        }

        /** The digest its checkpoint was stored with, when the stored state is {@link #next()}; else {@link Abandoned}. */
        Mono<String> storedDigest() {
            return stored.asMono();
        }

        /**
         * The digest its checkpoint gets if the memory service stores it as sent, once its bytes
         * are encoded (before its put is answered): what a follower putting ahead names as its parent.
         */
        Mono<String> predictedDigest() {
            return sent.asMono().map(CheckpointDigest::of);
        }

        /** Its checkpoint's bytes as first sent. */
        void sent(byte[] checkpoint) {
            sent.tryEmitValue(checkpoint);
        }

        void ran(DocumentState state) {
            ran.tryEmitValue(state);
        }

        void stored(String digest, boolean asRun) {
            if (asRun) {
                stored.tryEmitValue(digest);
            } else {
                abandon();
            }
        }

        /** Failed, cancelled, or stored as another state: whoever follows starts over. */
        void abandon() {
            abandoned = true;
            ran.tryEmitError(new Abandoned(index));
            stored.tryEmitError(new Abandoned(index));
            sent.tryEmitError(new Abandoned(index));
        }
    }

    /** The segment a follower ran from did not end as a stored checkpoint of that state. */
    static final class Abandoned extends RuntimeException {

        Abandoned(long index) {
            super("segment " + index + " was not stored as the state it ran to", null, false, false);
        }
    }

    /** Segment {@code index} of {@code document} for {@code model} starts; it is the one a segment index+1 follows. */
    Segment start(String document, String model, long index) {
        Segment segment = new Segment(model, index);
        latest.put(document, segment);
        Set<Watch> watching = watches.get(watchKey(document, index));
        if (watching != null) {
            watching.forEach(watch -> watch.see(segment));
        }
        return segment;
    }

    /** {@code segment} is answered or failed: no later segment follows it any more. */
    void end(String document, Segment segment) {
        latest.remove(document, segment);
    }

    /** Segment {@code index} of {@code document} for {@code model}, if it is the document's latest in flight. */
    Segment find(String document, String model, long index) {
        Segment segment = latest.get(document);
        return segment != null && segment.index == index && segment.model.equals(model) && !segment.abandoned
                ? segment : null;
    }

    /**
     * Watches for segment {@code index} of {@code document} for {@code model} here, from now on: it
     * is seen if it is in flight now or starts before the watch is closed, even if it has ended
     * since. A segment that does not find its predecessor where it looks first watches while it
     * looks, so that a predecessor starting (and even ending) meanwhile is not missed.
     */
    Watch watch(String document, String model, long index) {
        Watch watch = new Watch(watchKey(document, index), model);
        watches.compute(watch.key, (key, watching) -> {
            Set<Watch> all = watching == null ? ConcurrentHashMap.newKeySet() : watching;
            all.add(watch);
            return all;
        });
        Segment now = find(document, model, index);
        if (now != null) {
            watch.see(now);
        }
        return watch;
    }

    /** A watch for one segment of a document ({@link #watch}); closed once the watcher has found where to start. */
    final class Watch implements AutoCloseable {

        private final String key;
        private final String model;
        private final AtomicReference<Segment> seen = new AtomicReference<>();
        private final Sinks.One<Segment> started = Sinks.one();

        private Watch(String key, String model) {
            this.key = key;
            this.model = model;
        }

        private void see(Segment segment) {
            if (segment.model.equals(model) && seen.compareAndSet(null, segment)) {
                started.tryEmitValue(segment);
            }
        }

        /** The segment, if it was in flight when the watch began or has started since; else null. */
        Segment seen() {
            return seen.get();
        }

        /** The segment once it is seen, waiting at most {@code wait} (zero: not at all); empty if it is not. */
        Mono<Segment> next(Duration wait) {
            return wait.isZero() ? Mono.fromSupplier(this::seen) : started.asMono().timeout(wait, Mono.empty());
        }

        @Override
        public void close() {
            watches.computeIfPresent(key, (k, watching) -> {
                watching.remove(this);
                return watching.isEmpty() ? null : watching;
            });
        }
    }

    /** Documents with a segment in flight here. */
    int size() {
        return latest.size();
    }

    /** Documents with a segment watched for here (each watch is closed once its watcher goes on). */
    int watched() {
        return watches.size();
    }

    private static String watchKey(String document, long index) {
        return document + '\u0000' + index;
    }
}
