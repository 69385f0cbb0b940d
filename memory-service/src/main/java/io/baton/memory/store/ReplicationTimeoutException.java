package io.baton.memory.store;

import io.baton.memory.MemoryException;
import io.baton.protocol.problems.ProblemType;

/**
 * Fewer replicas than {@code baton.redis.wait-replicas} acknowledged a put, fork or delete within
 * {@code baton.redis.wait-timeout} (HTTP 503, retryable). It IS done on the primary: the same put
 * again is an idempotent success that waits for the replicas once more; the fork exists; the
 * document is deleted.
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
