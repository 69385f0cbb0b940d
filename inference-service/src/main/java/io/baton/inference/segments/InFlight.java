package io.baton.inference.segments;

import io.baton.inference.models.DocumentState;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The latest segment of each document this instance is running or storing. A client may send a
 * document's segment n+1 before it has n's answer (pipelined segments, docs/reliability.md); when n is
 * in flight here, n+1 runs as soon as n has run, from the very state n ran to, while n's checkpoint
 * is still being written: the model run overlaps the write. Only n+1's own write waits for n's,
 * and names n's stored digest as its parent, so checkpoints are still stored in order, each once,
 * and n+1's answer still waits for its durable write.
 *
 * <p>When n is not stored as the state it ran to (its write failed, it was cancelled, an earlier
 * attempt had stored other bytes, or the encoding is lossy), what n+1 computed from it is dropped
 * ({@link Abandoned}) and n+1 starts over as a segment arriving alone does. A segment that arrives
 * before its predecessor (two requests overtaking each other) waits for it a bounded time
 * ({@link #await}). Thread-safe.
 */
final class InFlight {

    private final ConcurrentHashMap<String, Segment> latest = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Sinks.One<Segment>> awaited = new ConcurrentHashMap<>();

    /**
     * Segment {@code index} of a document in flight: the state it ran to, once it has run, and its
     * checkpoint's stored digest, once stored as exactly that state.
     */
    static final class Segment {

        private final String model;
        private final long index;
        private final Sinks.One<DocumentState> ran = Sinks.one();
        private final Sinks.One<String> stored = Sinks.one();
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
        Sinks.One<Segment> waiting = awaited.remove(waitKey(document, index));
        if (waiting != null) {
            waiting.tryEmitValue(segment);
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

    /** Segment {@code index} once it starts here, waiting at most {@code wait}; empty if it does not. */
    Mono<Segment> await(String document, String model, long index, Duration wait) {
        return Mono.defer(() -> {
            Segment now = find(document, model, index);
            if (now != null) {
                return Mono.just(now);
            }
            String key = waitKey(document, index);
            Sinks.One<Segment> sink = awaited.computeIfAbsent(key, k -> Sinks.one());
            Segment started = find(document, model, index);  // started between the look and the registration
            if (started != null) {
                awaited.remove(key, sink);
                return Mono.just(started);
            }
            return sink.asMono().filter(segment -> segment.model.equals(model))
                    .timeout(wait, Mono.empty())
                    .doFinally(signal -> awaited.remove(key, sink));
        });
    }

    /** Documents with a segment in flight here. */
    int size() {
        return latest.size();
    }

    private static String waitKey(String document, long index) {
        return document + '\u0000' + index;
    }
}
