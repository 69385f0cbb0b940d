package io.baton.common;

/**
 * Root of every failure Baton reports on purpose. Unchecked; each subclass is one kind of
 * failure and names it by a stable {@link #type()}, which services map once to the {@code type}
 * of an RFC 9457 problem detail.
 */
public abstract class BatonException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    protected BatonException(String message) {
        super(message);
    }

    protected BatonException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The stable identifier of this kind of failure: lower-case words joined by hyphens, e.g.
     * {@code state-format}. It is the last path segment of the problem type URI, so it never
     * changes once published.
     */
    public abstract String type();
}
