package io.baton.gateway.pipeline;

import java.util.ArrayDeque;
import java.util.Deque;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * A non-blocking bound on how many documents run at once: {@link #acquire()} completes when one
 * of the {@code permits} is free, in arrival order. A waiter that is cancelled leaves the queue;
 * a permit granted to a waiter that was cancelled meanwhile goes straight to the next one.
 */
public final class DocumentGate {

    private final int permits;
    private final Deque<Waiter> waiting = new ArrayDeque<>();
    private int inUse;
    private int mostInUse;

    public DocumentGate(int permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("at least one permit is needed, got " + permits);
        }
        this.permits = permits;
    }

    /** A permit once one is free; release it with {@link Permit#release()}. */
    public Mono<Permit> acquire() {
        return Mono.create(sink -> {
            Waiter waiter = new Waiter(sink);
            boolean granted;
            synchronized (this) {
                granted = inUse < permits;
                if (granted) {
                    take();
                } else {
                    waiting.addLast(waiter);
                }
            }
            sink.onCancel(() -> cancelled(waiter));
            if (granted) {
                waiter.grant(new Permit(this));
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

    private void take() {
        inUse++;
        mostInUse = Math.max(mostInUse, inUse);
    }

    private void release() {
        Waiter next;
        synchronized (this) {
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

    /** A held permit; releasing it twice releases it once. */
    public static final class Permit {

        private final DocumentGate gate;
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
                gate.release();
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
