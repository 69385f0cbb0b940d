package io.baton.gateway.jobs.store;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The job store contract against the in-memory store, on a clock the tests move. */
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
