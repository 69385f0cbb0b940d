package io.baton.memory.store;

import io.baton.memory.MemoryException;
import io.baton.protocol.problems.ProblemType;

/**
 * Fewer replicas than {@code baton.redis.wait-replicas} acknowledged a put within {@code
 * baton.redis.wait-timeout} (HTTP 503, retryable). The checkpoint IS written on the primary: the
 * same put again is an idempotent success that waits for the replicas once more.
 */
public final class ReplicationTimeoutException extends MemoryException {

    private static final long serialVersionUID = 1L;

    public ReplicationTimeoutException(String message) {
        super(message);
    }

    @Override
    public ProblemType type() {
        return ProblemType.REPLICATION_TIMEOUT;
    }
}
