package io.baton.memory.checkpoints;

import io.baton.memory.store.DocumentKey;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Puts waiting for their parent: a put of checkpoint n that names n-1's digest, sent while n-1's
 * own put is still on its way (put ahead, docs/memory-api.md), waits here until n-1 is stored. A
 * put stored through this service wakes the puts of the same document waiting for that segment
 * at once; one stored through another replica is seen by the waiter's own look at the head
 * ({@link CheckpointService}), so a waiter wakes at the latest after {@code poll}. Thread-safe.
 */
final class ParentWaits {

    private final ConcurrentHashMap<DocumentKey, Set<Waiter>> waiting = new ConcurrentHashMap<>();
    private final AtomicInteger waitingNow = new AtomicInteger();
    private final AtomicLong waitingBytes = new AtomicLong();
    private final Duration poll;
    private final long maxBytes;

    /**
     * Waiters that look at the head themselves at least every {@code poll}; the bodies of the puts
     * waiting at once at most {@code maxBytes} together.
     */
    ParentWaits(Duration poll, long maxBytes) {
        this.poll = poll;
        this.maxBytes = maxBytes;
    }

    /**
     * A waiter for checkpoint {@code parent} of {@code key}, registered from now on: a put of it
     * stored after this call is not missed, even one stored before the waiter waits.
     */
    Waiter await(DocumentKey key, long parent) {
        Waiter waiter = new Waiter(key, parent);
        waiting.compute(key, (k, all) -> {
            Set<Waiter> set = all == null ? ConcurrentHashMap.newKeySet() : all;
            set.add(waiter);
            return set;
        });
        return waiter;
    }

    /** Checkpoint {@code segment} of {@code key} was stored through this service. */
    void stored(DocumentKey key, long segment) {
        Set<Waiter> all = waiting.get(key);
        if (all != null) {
            all.forEach(waiter -> waiter.see(segment));
        }
    }

    /**
     * A put of {@code bytes} begins to wait for its parent, when the bodies waiting with it stay
     * within the bound: the wait ends when the returned action runs. Null when they would not: the
     * put does not wait (it is refused as not next, as without a wait), and the service does not
     * hold more bodies than it was given room for.
     */
    Runnable waiting(long bytes) {
        if (waitingBytes.addAndGet(bytes) > maxBytes) {
            waitingBytes.addAndGet(-bytes);
            return null;
        }
        waitingNow.incrementAndGet();
        return () -> {
            waitingNow.decrementAndGet();
            waitingBytes.addAndGet(-bytes);
        };
    }

    /** Puts waiting for their parent now. */
    int waitingNow() {
        return waitingNow.get();
    }

    /** A put's wait for its parent ({@link #await}); closed when the put goes on. */
    final class Waiter implements AutoCloseable {

        private final DocumentKey key;
        private final long parent;
        private final Sinks.One<Boolean> stored = Sinks.one();

        private Waiter(DocumentKey key, long parent) {
            this.key = key;
            this.parent = parent;
        }

        private void see(long segment) {
            if (segment >= parent) {
                stored.tryEmitValue(true);
            }
        }

        /**
         * True once the parent is stored through this service; false when {@code left} or the poll
         * interval, whichever is shorter, passes first (time to look at the head).
         */
        Mono<Boolean> storedWithin(Duration left) {
            Duration wait = left.compareTo(poll) < 0 ? left : poll;
            return stored.asMono().timeout(wait, Mono.just(false));
        }

        @Override
        public void close() {
            waiting.computeIfPresent(key, (k, all) -> {
                all.remove(this);
                return all.isEmpty() ? null : all;
            });
        }
    }
}
