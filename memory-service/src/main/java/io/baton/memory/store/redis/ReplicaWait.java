package io.baton.memory.store.redis;

import java.time.Duration;
import java.util.Objects;

/**
 * Whether a put waits for replicas ({@code WAIT replicas timeout} after the put's script, on the
 * connection and node that ran it) and for how long. {@code replicas} 0 is off, the default.
 *
 * @param replicas how many replicas must acknowledge the put's writes (0 = do not wait)
 * @param timeout  how long to wait for them; more than 0 and less than the command timeout
 */
public record ReplicaWait(int replicas, Duration timeout) {

    /** Puts do not wait for replicas. */
    public static final ReplicaWait NONE = new ReplicaWait(0, Duration.ofSeconds(1));

    public ReplicaWait {
        Objects.requireNonNull(timeout, "timeout");
        if (replicas < 0) {
            throw new IllegalArgumentException("replicas must be 0 (off) or more, not " + replicas);
        }
        if (timeout.toMillis() < 1) {
            throw new IllegalArgumentException("timeout must be at least 1 ms, not " + timeout);
        }
    }

    /** Whether puts wait at all. */
    public boolean enabled() {
        return replicas > 0;
    }

    @Override
    public String toString() {
        return enabled() ? "wait for " + replicas + " replica" + (replicas == 1 ? "" : "s") + " within " + timeout
                : "no wait for replicas";
    }
}
