package io.baton.gateway.jobs;

import io.baton.common.redis.RedisConnection;
import io.baton.gateway.GatewayProperties;
import io.baton.gateway.jobs.store.InMemoryJobStore;
import io.baton.gateway.jobs.store.JobStore;
import io.baton.gateway.jobs.store.redis.RedisJobStore;
import java.time.Clock;

/**
 * The job store and queue the settings name, one rule for both: the Redis store when {@code
 * baton.redis.url} is set, else memory; RabbitMQ when {@code baton.rabbitmq.url} is set <em>and</em>
 * the store is Redis, else the in-process queue. A queue shared with other gateways needs a store
 * shared with them: a message of another gateway's in-memory job would find no job here, and be
 * dropped.
 */
final class JobStores {

    private JobStores() {
    }

    /** Whether the jobs live in Redis. */
    static boolean shared(GatewayProperties properties) {
        return properties.redis().configured();
    }

    /** Whether the work goes through RabbitMQ. */
    static boolean rabbit(GatewayProperties properties) {
        return properties.rabbitmq().configured() && shared(properties);
    }

    static JobStore of(RedisConnection redis, Clock clock) {
        return redis == null ? new InMemoryJobStore(clock) : new RedisJobStore(redis);
    }

    static String describe(GatewayProperties properties) {
        return shared(properties) ? "Redis, " + properties.redis().settings().describe()
                : "in memory (this JVM; jobs do not outlive it)";
    }
}
