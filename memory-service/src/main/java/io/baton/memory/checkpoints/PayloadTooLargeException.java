package io.baton.memory.checkpoints;

import io.baton.memory.MemoryException;
import io.baton.protocol.problems.ProblemType;
import java.util.Map;

/**
 * A checkpoint upload over {@code baton.limits.max-checkpoint-bytes} (HTTP 413). Raised as soon as
 * the declared length or the bytes received pass the limit; the rest is never read.
 */
public final class PayloadTooLargeException extends MemoryException {

    private static final long serialVersionUID = 1L;

    private final long limit;

    public PayloadTooLargeException(String message, long limit) {
        super(message);
        this.limit = limit;
    }

    /** The configured limit in bytes. */
    public long limit() {
        return limit;
    }

    @Override
    public ProblemType type() {
        return ProblemType.PAYLOAD_TOO_LARGE;
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of("limit", limit);
    }
}
