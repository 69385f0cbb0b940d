package io.baton.gateway.jobs.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * The job store contract against the in-memory store, on a clock the tests move; and what only
 * this store can get wrong: idempotency keys that outlive their jobs.
 */
class InMemoryJobStoreTest extends JobStoreContract {

    private final SetClock clock = new SetClock(Instant.parse("2026-03-01T08:00:00Z"));

    @Override
    protected JobStore newStore() {
        return new InMemoryJobStore(clock);
    }

    @Override
    protected Instant now() {
        return clock.instant();
    }

    @Override
    protected void passTime(Instant instant) {
        clock.now = instant.plusMillis(1);
    }

    @Test
    void idempotencyKeysLeaveWithTheirJobsDeletedOrExpired() {
        InMemoryJobStore store = new InMemoryJobStore(clock);
        for (int i = 0; i < 10; i++) {
            store.create(job("deleted-" + i, 1, "key-deleted-" + i, Duration.ofDays(7))).block();
            store.create(job("expiring-" + i, 1, "key-expiring-" + i, Duration.ofHours(1))).block();
        }
        assertThat(store.idempotencyKeys()).isEqualTo(20);
        for (int i = 0; i < 10; i++) {
            assertThat(store.delete(tenant, "deleted-" + i).block()).isTrue();
        }
        assertThat(store.idempotencyKeys()).as("a delete takes its job's key").isEqualTo(10);

        // Unfinished jobs are gone one retention after their expiry (2 h here); the sweep takes their keys.
        passTime(now().plus(Duration.ofHours(3)));
        assertThat(store.active().collectList().block()).isEmpty();
        assertThat(store.idempotencyKeys()).as("the sweep takes the keys of gone jobs").isZero();
    }

    /** A clock that stands still until a test sets it. */
    private static final class SetClock extends Clock {

        private volatile Instant now;

        SetClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
