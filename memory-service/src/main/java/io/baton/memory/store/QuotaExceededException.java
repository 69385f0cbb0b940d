package io.baton.memory.store;

import io.baton.memory.MemoryException;
import io.baton.protocol.problems.ProblemType;
import java.util.Map;

/** The write would take the tenant over its byte quota (HTTP 507, as in RFC 4331). */
public final class QuotaExceededException extends MemoryException {

    private static final long serialVersionUID = 1L;

    private final long used;
    private final long quota;

    public QuotaExceededException(String tenant, long used, long adding, long quota) {
        super("tenant " + tenant + " uses " + used + " bytes; adding " + adding
                + " would exceed its quota of " + quota + " bytes");
        this.used = used;
        this.quota = quota;
    }

    public long used() {
        return used;
    }

    public long quota() {
        return quota;
    }

    @Override
    public ProblemType type() {
        return ProblemType.QUOTA_EXCEEDED;
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of("used", used, "quota", quota);
    }
}
