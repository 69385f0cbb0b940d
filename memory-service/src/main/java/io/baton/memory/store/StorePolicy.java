package io.baton.memory.store;

import io.baton.memory.MemoryProperties;
import java.time.Duration;
import java.util.Objects;

/**
 * The rules every store applies, whatever keeps the bytes: how many checkpoints of a document
 * are kept, how long a document lives after its last accepted write, and each tenant's byte
 * quota.
 *
 * @param keep             the last {@code keep} checkpoints of a document are kept (at least 2,
 *                         so that a failed segment can be retried from n-1)
 * @param ttl              time-to-live of a document's keys, refreshed by every accepted write
 * @param tenantQuotaBytes most bytes a tenant may keep in the store, all its documents together;
 *                         0 means no quota
 */
public record StorePolicy(int keep, Duration ttl, long tenantQuotaBytes) {

    public StorePolicy {
        if (keep < 2) {
            throw new IllegalArgumentException("retention keep must be at least 2, was " + keep);
        }
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.toMillis() < 1) {
            throw new IllegalArgumentException("retention ttl must be at least 1 ms, was " + ttl);
        }
        if (tenantQuotaBytes < 0) {
            throw new IllegalArgumentException("tenant quota must not be negative, was " + tenantQuotaBytes);
        }
    }

    /** The policy configured by {@code baton.retention.*} and {@code baton.limits.tenant-quota-bytes}. */
    public static StorePolicy from(MemoryProperties properties) {
        return new StorePolicy(properties.retention().keep(), properties.retention().ttl(),
                properties.limits().tenantQuotaBytes());
    }

    /** Whether a tenant quota applies. */
    public boolean hasQuota() {
        return tenantQuotaBytes > 0;
    }

    /**
     * Whether a write that changes one document's stored bytes from {@code documentBefore} to
     * {@code documentAfter} must be refused, when the tenant's other documents hold {@code others}
     * bytes: it adds bytes and leaves the tenant over its quota. A write that does not grow the
     * document is never refused, so a tenant already over a lowered quota can still continue.
     */
    public boolean refuses(long others, long documentBefore, long documentAfter) {
        return hasQuota() && documentAfter > documentBefore && others + documentAfter > tenantQuotaBytes;
    }
}
