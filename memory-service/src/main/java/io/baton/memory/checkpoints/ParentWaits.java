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
 * at once. One stored through another replica is seen by the waiter's own look at the head
 * ({@link CheckpointService}) every {@code poll}; a waiter does not look while its parent's put is
 * in progress through this service (it is woken when that put ends, stored or not), so the looks
 * are paid only where they are needed: a parent on another replica, or not arrived yet.
 * Thread-safe.
 */
final class ParentWaits {

    private final ConcurrentHashMap<DocumentKey, Set<Waiter>> waiting = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Put, Integer> putting = new ConcurrentHashMap<>();
    private final AtomicInteger waitingNow = new AtomicInteger();
    private final AtomicLong waitingBytes = new AtomicLong();
    private final Duration poll;
    private final long maxBytes;

    /**
     * Waiters that look at the head themselves every {@code poll} while no put of their parent is in
     * progress here; the bodies of the puts waiting at once at most {@code maxBytes} together.
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
     * A put of checkpoint {@code segment} of {@code key} begins through this service; it ends, stored
     * or not, when the returned action runs. Until then the puts waiting for it do not look at the
     * head; when it ends they are woken to look.
     */
    Runnable putting(DocumentKey key, long segment) {
        Put put = new Put(key, segment);
        putting.merge(put, 1, Integer::sum);
        return () -> {
            putting.computeIfPresent(put, (p, puts) -> puts == 1 ? null : puts - 1);
            Set<Waiter> all = waiting.get(key);
            if (all != null) {
                all.forEach(waiter -> waiter.ended(segment));
            }
        };
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

    /** A put of checkpoint {@code segment} of {@code key} in progress through this service. */
    private record Put(DocumentKey key, long segment) {
    }

    /** A put's wait for its parent ({@link #await}); closed when the put goes on. */
    final class Waiter implements AutoCloseable {

        private final DocumentKey key;
        private final long parent;
        // guarded by this: whether the parent was seen stored, and the current round's wake-up
        private boolean stored;
        private Sinks.One<Boolean> round = Sinks.one();

        private Waiter(DocumentKey key, long parent) {
            this.key = key;
            this.parent = parent;
        }

        private synchronized void see(long segment) {
            if (segment >= parent) {
                stored = true;
                round.tryEmitValue(true);
            }
        }

        private synchronized void ended(long segment) {
            if (segment == parent) {
                round.tryEmitValue(false);
            }
        }

        /**
         * True once the parent is stored through this service. False, time to look at the head, when
         * the parent's put through this service ends without that, or when {@code left} passes; or,
         * while no put of the parent is in progress here, at the latest after the poll interval.
         */
        Mono<Boolean> storedWithin(Duration left) {
            return Mono.defer(() -> {
                Sinks.One<Boolean> next = Sinks.one();
                Duration wait;
                // under the lock a put of the parent that ends after this look at the puts in progress wakes
                // this very round, and one that ended before it is not seen in progress
                synchronized (this) {
                    if (stored) {
                        return Mono.just(true);
                    }
                    round = next;
                    wait = putting.containsKey(new Put(key, parent)) || left.compareTo(poll) < 0 ? left : poll;
                }
                return next.asMono().timeout(wait, Mono.just(false));
            });
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
