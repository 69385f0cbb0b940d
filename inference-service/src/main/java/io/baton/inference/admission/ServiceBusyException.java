package io.baton.inference.admission;

import io.baton.inference.InferenceException;
import io.baton.protocol.BatonHeaders;
import io.baton.protocol.problems.ProblemType;
import java.util.Map;

/**
 * Inference is at capacity (503 {@code service-busy}, with {@code Retry-After}): a queue or a
 * bound on work in flight is full, or the runner refused a task. Nothing was run or stored, so
 * the same request may be sent again after the pause it names.
 */
public final class ServiceBusyException extends InferenceException {

    private static final long serialVersionUID = 1L;

    /** Seconds a caller waits before it sends the request again. */
    static final long RETRY_AFTER_SECONDS = 1;

    public ServiceBusyException(String message) {
        super(message);
    }

    public ServiceBusyException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ProblemType type() {
        return ProblemType.SERVICE_BUSY;
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of(BatonHeaders.RETRY_AFTER_MEMBER, RETRY_AFTER_SECONDS);
    }
}
