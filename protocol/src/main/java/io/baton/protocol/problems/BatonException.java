package io.baton.protocol.problems;

import java.util.Map;

/**
 * Root of every failure Baton reports on purpose. Unchecked; each subclass is one kind of
 * failure and names its {@link ProblemType} in the catalogue, which fixes the HTTP status every
 * service answers it with, whether a caller may retry it and whether its detail is public.
 */
public abstract class BatonException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    protected BatonException(String message) {
        super(message);
    }

    protected BatonException(String message, Throwable cause) {
        super(message, cause);
    }

    /** This failure's entry in the catalogue. */
    public abstract ProblemType type();

    /** The HTTP status of the problem response: the catalogue's, never re-declared. */
    public final int status() {
        return type().status();
    }

    /** Extra members of the problem response (e.g. the segment a document expects next). */
    public Map<String, Object> properties() {
        return Map.of();
    }
}
