package io.baton.inference.admission;

import io.baton.protocol.inference.Priority;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;

/**
 * A bound on the requests of one kind in flight (admitted and not yet finished): a request over
 * it is refused at once with {@link ServiceBusyException} instead of waiting for a place. A
 * request holds its place until it completes, fails or is cancelled (its caller went away), so a
 * place is never lost. Thread-safe.
 *
 * <p>{@link Priority#BATCH} requests take at most {@code batchLimit} of the places, so the other
 * {@code limit - batchLimit} are always left to interactive requests: batch work never makes an
 * interactive request {@code service-busy} by filling the bound. Interactive requests may take
 * every place.
 */
public final class Admission {

    private final String what;
    private final int limit;
    private final int batchLimit;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger batchInFlight = new AtomicInteger();

    /**
     * A bound for requests of one priority (or where batch requests may take every place).
     *
     * @param what  the requests' name in a refusal, e.g. {@code segments}
     * @param limit the most in flight at once
     */
    public Admission(String what, int limit) {
        this(what, limit, limit);
    }

    /**
     * @param what       the requests' name in a refusal, e.g. {@code segments}
     * @param limit      the most in flight at once
     * @param batchLimit the most {@link Priority#BATCH} requests among them
     */
    public Admission(String what, int limit, int batchLimit) {
        if (limit < 1) {
            throw new IllegalArgumentException("the bound on " + what + " in flight must be at least 1, got " + limit);
        }
        if (batchLimit < 1 || batchLimit > limit) {
            throw new IllegalArgumentException("the bound on batch " + what + " in flight must be between 1 and "
                    + limit + ", got " + batchLimit);
        }
        this.what = what;
        this.limit = limit;
        this.batchLimit = batchLimit;
    }

    /** Interactive {@code work}: {@link #admit(Priority, Mono)} of {@link Priority#INTERACTIVE}. */
    public <T> Mono<T> admit(Mono<T> work) {
        return admit(Priority.INTERACTIVE, work);
    }

    /**
     * {@code work} of {@code priority}, run only if a place is free for it when it is subscribed;
     * the place is given back when it ends.
     */
    public <T> Mono<T> admit(Priority priority, Mono<T> work) {
        return Mono.defer(() -> {
            Permit permit = enter(priority);
            return work.doFinally(signal -> permit.release());
        });
    }

    /**
     * Takes a place for interactive work whose end is not one Mono's (a stream that outlives the
     * call that started it); the caller releases it.
     *
     * @throws ServiceBusyException when every place is taken
     */
    public Permit enter() {
        return enter(Priority.INTERACTIVE);
    }

    /**
     * Takes a place for work of {@code priority}; the caller releases it.
     *
     * @throws ServiceBusyException when every place is taken, or for batch work when batch work
     *                              holds its share of them
     */
    public Permit enter(Priority priority) {
        boolean batch = priority == Priority.BATCH;
        if (batch && batchInFlight.incrementAndGet() > batchLimit) {
            batchInFlight.decrementAndGet();
            throw new ServiceBusyException("inference has " + batchLimit + " batch " + what
                    + " in flight, the share of its bound of " + limit + " that batch work may take "
                    + "(baton.admission.batch-share); retry later");
        }
        if (inFlight.incrementAndGet() > limit) {
            inFlight.decrementAndGet();
            if (batch) {
                batchInFlight.decrementAndGet();
            }
            throw new ServiceBusyException("inference has " + limit + " " + what
                    + " in flight, as many as it takes at once; retry later");
        }
        return new Permit(batch);
    }

    /** Requests in flight now, of either priority. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Batch requests in flight now. */
    public int batchInFlight() {
        return batchInFlight.get();
    }

    /** One admitted request's place; released once, however many times {@link #release} is called. */
    public final class Permit {

        private final boolean batch;
        private final AtomicBoolean released = new AtomicBoolean();

        private Permit(boolean batch) {
            this.batch = batch;
        }

        /** Gives the place back (the first call only). */
        public void release() {
            if (released.compareAndSet(false, true)) {
                inFlight.decrementAndGet();
                if (batch) {
                    batchInFlight.decrementAndGet();
                }
            }
        }
    }
}
