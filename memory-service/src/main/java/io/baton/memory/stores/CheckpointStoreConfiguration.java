package io.baton.memory.stores;

import io.baton.memory.MemoryProperties;
import io.baton.memory.store.CheckpointStore;
import io.baton.memory.store.StorePolicy;
import io.baton.memory.store.inmemory.InMemoryCheckpointStore;
import io.baton.memory.store.redis.RedisCheckpointStore;
import io.baton.memory.store.redis.ReplicaWait;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Provides the {@link CheckpointStore} that {@code baton.store.kind} names ({@code redis} or
 * {@code memory}), logs the choice once, and closes it (its Lettuce client and threads) on
 * shutdown. The Redis store connects on first use, so the service starts while Redis is down and
 * answers 503 until it is back.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(MemoryProperties.class)
public class CheckpointStoreConfiguration {

    private static final Logger log = LoggerFactory.getLogger(CheckpointStoreConfiguration.class);

    /** Every kind of store the service can run on. */
    public static CheckpointStoreRegistry registry() {
        return new CheckpointStoreRegistry()
                .register("redis", (properties, clock) ->
                        RedisCheckpointStore.open(properties.redis().settings(), StorePolicy.from(properties),
                                replicaWait(properties.redis())))
                .register("memory", (properties, clock) ->
                        new InMemoryCheckpointStore(StorePolicy.from(properties), properties.store().memoryMaxBytes(), clock));
    }

    /** Whether and how long a put waits for replicas, as {@code baton.redis.wait-*} say (checked). */
    static ReplicaWait replicaWait(MemoryProperties.Redis redis) {
        redis.checkReplicaWait();
        return new ReplicaWait(redis.waitReplicas(), redis.waitTimeout());
    }

    @Bean
    public CheckpointStore checkpointStore(MemoryProperties properties, ObjectProvider<Clock> clock) {
        CheckpointStore store = registry().create(properties, clock.getIfAvailable(Clock::systemUTC));
        log.info("checkpoint store: {}", store);
        return store;
    }
}
