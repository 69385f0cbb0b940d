package io.baton.protocol.client;

/** A client whose calls go through a {@link CallGuard}: its breaker is published as meters ({@link BreakerMetricsAutoConfiguration}). */
public interface Guarded {

    /** The guard of every call (its breaker, its settings). */
    CallGuard guard();
}
