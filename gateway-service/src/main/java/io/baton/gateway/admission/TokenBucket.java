package io.baton.gateway.admission;

import java.util.function.LongSupplier;

/**
 * One tenant's token bucket: it fills at {@code perSecond} tokens a second up to {@code burst}.
 * A request of {@code cost} tokens is admitted when the bucket holds {@code min(cost, burst)} and
 * is then charged its whole cost, so a document larger than the burst is admitted once the bucket
 * is full and leaves it in debt, which later requests wait out: over any long stretch the tenant
 * gets its rate, whatever the sizes of its documents.
 */
final class TokenBucket {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final double perSecond;
    private final double burst;
    private final LongSupplier nanoClock;
    private double tokens;
    private long at;

    TokenBucket(long perSecond, long burst, LongSupplier nanoClock) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanoClock = nanoClock;
        this.tokens = burst;
        this.at = nanoClock.getAsLong();
    }

    /**
     * Charges {@code cost} tokens when the bucket holds enough: 0. Otherwise charges nothing and
     * answers the nanoseconds until it will hold enough (at least 1).
     */
    synchronized long take(long cost) {
        long now = nanoClock.getAsLong();
        tokens = Math.min(burst, tokens + (now - at) * perSecond / NANOS_PER_SECOND);
        at = now;
        double needed = Math.min(cost, burst);
        if (tokens >= needed) {
            tokens -= cost;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((needed - tokens) * NANOS_PER_SECOND / perSecond));
    }
}
