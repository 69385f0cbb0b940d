package io.baton.protocol.client;

import io.baton.protocol.problems.ProblemType;

/**
 * A service another one calls, as its clients need to know it: its name (in the circuit breaker's
 * name and in messages) and the two problems a caller sees when it cannot use the answer: {@code
 * unavailable} (not reached, down, or a 5xx outside the catalogue; retried) and {@code rejected}
 * (an answer outside the catalogue, or a refused credential).
 */
public enum Peer {

    MEMORY("memory-service", ProblemType.MEMORY_UNAVAILABLE, ProblemType.MEMORY_REJECTED),
    INFERENCE("inference-service", ProblemType.INFERENCE_UNAVAILABLE, ProblemType.INFERENCE_REJECTED);

    private final String service;
    private final ProblemType unavailable;
    private final ProblemType rejected;

    Peer(String service, ProblemType unavailable, ProblemType rejected) {
        this.service = service;
        this.unavailable = unavailable;
        this.rejected = rejected;
    }

    /** {@code memory-service}, {@code inference-service}. */
    public String service() {
        return service;
    }

    public ProblemType unavailable() {
        return unavailable;
    }

    public ProblemType rejected() {
        return rejected;
    }
}
