package io.baton.protocol.problems;

import io.baton.protocol.BatonHeaders;
import java.util.Map;

/**
 * A call to another Baton service failed: the service answered a problem of the catalogue
 * (passed on with its type, detail and extra members), or it could not be reached, kept failing
 * or its circuit breaker is open ({@code memory-unavailable}, {@code inference-unavailable}).
 * The HTTP and the in-process adapters of a client raise the same exception for the same
 * answer, so a caller never knows which one it has.
 */
public final class ServiceCallException extends BatonException {

    private static final long serialVersionUID = 1L;

    private final ProblemType type;
    private final Map<String, Object> properties;

    public ServiceCallException(ProblemType type, String detail, Map<String, Object> properties, Throwable cause) {
        super(detail, cause);
        this.type = type;
        this.properties = Map.copyOf(properties);
    }

    public ServiceCallException(ProblemType type, String detail) {
        this(type, detail, Map.of(), null);
    }

    /** The same answer as {@code e}, another service's own failure, seen by its caller. */
    public static ServiceCallException of(BatonException e) {
        return e instanceof ServiceCallException call ? call
                : new ServiceCallException(e.type(), e.getMessage(), e.properties(), e);
    }

    @Override
    public ProblemType type() {
        return type;
    }

    @Override
    public Map<String, Object> properties() {
        return properties;
    }

    /** Whether this is the answer {@code expected}. */
    public boolean is(ProblemType expected) {
        return type == expected;
    }

    /** The {@code expectedSegment} member of a segment-order answer, or -1. */
    public long expectedSegment() {
        return properties.get(BatonHeaders.EXPECTED_SEGMENT) instanceof Number n ? n.longValue() : -1;
    }

    /** Whether the call was not made because the circuit breaker is open. */
    public boolean breakerOpen() {
        return "open".equals(properties.get("circuitBreaker"));
    }
}
