package io.baton.inference.admission;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;

/**
 * A bound on the requests of one kind in flight (admitted and not yet finished): a request over
 * it is refused at once with {@link ServiceBusyException} instead of waiting for a place. A
 * request holds its place until it completes, fails or is cancelled (its caller went away), so a
 * place is never lost. Thread-safe.
 */
public final class Admission {

    private final String what;
    private final int limit;
    private final AtomicInteger inFlight = new AtomicInteger();

    /**
     * @param what  the requests' name in a refusal, e.g. {@code segments}
     * @param limit the most in flight at once
     */
    public Admission(String what, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("the bound on " + what + " in flight must be at least 1, got " + limit);
        }
        this.what = what;
        this.limit = limit;
    }

    /** {@code work}, run only if a place is free when it is subscribed; the place is given back when it ends. */
    public <T> Mono<T> admit(Mono<T> work) {
        return Mono.defer(() -> {
            Permit permit = enter();
            return work.doFinally(signal -> permit.release());
        });
    }

    /**
     * Takes a place for work whose end is not one Mono's (a stream that outlives the call that
     * started it); the caller releases it.
     *
     * @throws ServiceBusyException when every place is taken
     */
    public Permit enter() {
        if (inFlight.incrementAndGet() > limit) {
            inFlight.decrementAndGet();
            throw new ServiceBusyException("inference has " + limit + " " + what
                    + " in flight, as many as it takes at once; retry later");
        }
        return new Permit();
    }

    /** Requests in flight now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** One admitted request's place; released once, however many times {@link #release} is called. */
    public final class Permit {

        private final AtomicBoolean released = new AtomicBoolean();

        private Permit() {
        }

        /** Gives the place back (the first call only). */
        public void release() {
            if (released.compareAndSet(false, true)) {
                inFlight.decrementAndGet();
            }
        }
    }
}
