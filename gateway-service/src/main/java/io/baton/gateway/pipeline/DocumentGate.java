package io.baton.gateway.pipeline;

import io.baton.protocol.problems.Problems;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A non-blocking bound on how many documents run at once: {@link #acquire()} completes when one
 * of the {@code permits} is free, in arrival order. A waiter that is cancelled leaves the queue;
 * a permit granted to a waiter that was cancelled meanwhile goes straight to the next one.
 *
 * <p>The queue is bounded too, because each waiter holds its request's whole text: at most
 * {@code maxWaiting} wait, each for at most {@code maxWait}. One more, or one that waited that
 * long, fails with {@link ServiceBusyException} (503 {@code service-busy}), whose {@code
 * Retry-After} is how long the queue ahead of a new waiter takes to drain at the pace permits have
 * been held lately.
 */
public final class DocumentGate {

    /** The longest {@code Retry-After} a refusal names, in seconds. */
    static final long LONGEST_RETRY_AFTER = 60;

    private final int permits;
    private final int maxWaiting;
    private final Duration maxWait;
    private final Scheduler timer;
    private final Deque<Waiter> waiting = new ArrayDeque<>();
    private int inUse;
    private int mostInUse;
    private int mostWaiting;
    /** How long a permit was held, averaged over the last releases (exponentially); 0 before the first. */
    private double heldNanos;

    /**
     * @param permits    documents that run at once
     * @param maxWaiting documents that may wait for a permit (0: none wait, a full gate refuses)
     * @param maxWait    how long one may wait
     */
    public DocumentGate(int permits, int maxWaiting, Duration maxWait) {
        if (permits < 1 || maxWaiting < 0 || maxWait.isNegative()) {
            throw new IllegalArgumentException("at least one permit, and no negative queue bound or wait are needed, got "
                    + permits + ", " + maxWaiting + ", " + maxWait);
        }
        this.permits = permits;
        this.maxWaiting = maxWaiting;
        this.maxWait = maxWait;
        this.timer = Schedulers.parallel();
    }

    /**
     * A permit once one is free; release it with {@link Permit#release()}. Fails with {@link
     * ServiceBusyException} when the queue is full or the wait exceeds its bound.
     */
    public Mono<Permit> acquire() {
        return Mono.create(sink -> {
            Waiter waiter = new Waiter(sink);
            boolean granted = false;
            ServiceBusyException full = null;
            synchronized (this) {
                if (inUse < permits) {
                    take();
                    granted = true;
                } else if (waiting.size() >= maxWaiting) {
                    full = new ServiceBusyException("the gateway runs " + inUse + " documents and " + waiting.size()
                            + " wait for their turn, as many as it queues (baton.pipeline.max-waiting)", retryAfter());
                } else {
                    waiting.addLast(waiter);
                    mostWaiting = Math.max(mostWaiting, waiting.size());
                }
            }
            if (full != null) {
                sink.error(full);
                return;
            }
            sink.onCancel(() -> cancelled(waiter));
            if (granted) {
                waiter.grant(new Permit(this));
            } else {
                // Stopped once the waiter is granted, fails or is cancelled.
                sink.onDispose(timer.schedule(() -> timedOut(waiter), maxWait.toNanos(), TimeUnit.NANOSECONDS));
            }
        });
    }

    /** Permits held now. */
    public synchronized int inUse() {
        return inUse;
    }

    /** The most permits ever held at once. */
    public synchronized int mostInUse() {
        return mostInUse;
    }

    /** Documents waiting for a permit now. */
    public synchronized int waiting() {
        return waiting.size();
    }

    /** The most documents that ever waited at once. */
    public synchronized int mostWaiting() {
        return mostWaiting;
    }

    private void take() {
        inUse++;
        mostInUse = Math.max(mostInUse, inUse);
    }

    /**
     * Seconds until a new waiter would likely get a permit: the documents ahead of it (running and
     * waiting) over the permits, times the average hold; at least 1, at most {@value
     * #LONGEST_RETRY_AFTER}. Called holding the lock.
     */
    private long retryAfter() {
        double rounds = Math.ceil((waiting.size() + 1) / (double) permits);
        long seconds = Problems.seconds(Duration.ofNanos((long) (rounds * heldNanos)));
        return Math.min(LONGEST_RETRY_AFTER, seconds);
    }

    private void release(long held) {
        Waiter next;
        synchronized (this) {
            heldNanos = heldNanos == 0 ? held : 0.8 * heldNanos + 0.2 * held;
            next = waiting.pollFirst();
            if (next == null) {
                inUse--;
                return;
            }
        }
        next.grant(new Permit(this));
    }

    private void cancelled(Waiter waiter) {
        boolean wasWaiting;
        synchronized (this) {
            wasWaiting = waiting.remove(waiter);
        }
        if (!wasWaiting) {
            waiter.revoke();
        }
    }

    private void timedOut(Waiter waiter) {
        ServiceBusyException busy;
        synchronized (this) {
            if (!waiting.remove(waiter)) {
                return;   // granted (or cancelled) meanwhile
            }
            busy = new ServiceBusyException("the document waited " + maxWait.toMillis() + " ms for its turn, the "
                    + "longest it may (baton.pipeline.max-wait)", retryAfter());
        }
        waiter.fail(busy);
    }

    /** A held permit; releasing it twice releases it once. */
    public static final class Permit {

        private final DocumentGate gate;
        private final long granted = System.nanoTime();
        private boolean released;

        private Permit(DocumentGate gate) {
            this.gate = gate;
        }

        /** Gives the permit back (to the next waiter, if any). */
        public Mono<Void> release() {
            return Mono.fromRunnable(this::releaseNow);
        }

        synchronized boolean releaseOnce() {
            boolean first = !released;
            released = true;
            return first;
        }

        void releaseNow() {
            if (releaseOnce()) {
                gate.release(System.nanoTime() - granted);
            }
        }
    }

    /** One acquire call: granted at most once; a grant that nobody can take any more is released. */
    private static final class Waiter {

        private final MonoSink<Permit> sink;
        private Permit permit;
        private boolean cancelled;

        Waiter(MonoSink<Permit> sink) {
            this.sink = sink;
        }

        void grant(Permit granted) {
            boolean deliver;
            synchronized (this) {
                permit = granted;
                deliver = !cancelled;
            }
            if (deliver) {
                sink.success(granted);
            } else {
                granted.releaseNow();
            }
        }

        void fail(ServiceBusyException busy) {
            sink.error(busy);
        }

        void revoke() {
            Permit held;
            synchronized (this) {
                cancelled = true;
                held = permit;
            }
            if (held != null) {
                held.releaseNow();
            }
        }
    }
}
