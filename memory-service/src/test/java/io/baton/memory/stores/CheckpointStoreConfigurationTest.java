package io.baton.memory.stores;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.memory.store.CheckpointStore;
import io.baton.memory.store.inmemory.InMemoryCheckpointStore;
import io.baton.memory.store.redis.RedisCheckpointStore;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The store is chosen by {@code baton.store.kind}; a wrong kind or policy stops the start-up. */
class CheckpointStoreConfigurationTest {

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withUserConfiguration(CheckpointStoreConfiguration.class);

    @Test
    void redisIsTheDefaultAndConnectsOnlyWhenUsed() {
        context.withPropertyValues("baton.redis.url=redis://127.0.0.1:1")
                .run(started -> assertThat(started).hasSingleBean(CheckpointStore.class)
                        .getBean(CheckpointStore.class).isInstanceOf(RedisCheckpointStore.class));
    }

    @Test
    void memoryPicksTheInMemoryStore() {
        context.withPropertyValues("baton.store.kind=memory", "baton.store.memory-max-bytes=1000")
                .run(started -> assertThat(started.getBean(CheckpointStore.class))
                        .isInstanceOf(InMemoryCheckpointStore.class)
                        .hasToString("memory (at most 1000 stored bytes, least recently used documents evicted), "
                                + "keep 3, ttl PT168H, tenant quota none"));
    }

    @Test
    void anUnknownKindStopsTheStartUpAndNamesTheKnownOnes() {
        context.withPropertyValues("baton.store.kind=mongo")
                .run(started -> assertThat(started).hasFailed().getFailure()
                        .rootCause().hasMessageContaining("baton.store.kind 'mongo'")
                        .hasMessageContaining("redis, memory"));
    }

    @Test
    void aRetentionBelowTwoStopsTheStartUp() {
        context.withPropertyValues("baton.store.kind=memory", "baton.retention.keep=1")
                .run(started -> assertThat(started).hasFailed().getFailure()
                        .rootCause().hasMessageContaining("keep must be at least 2"));
    }

    @Test
    void aWrongRedisModeStopsTheStartUp() {
        context.withPropertyValues("baton.redis.mode=replicated")
                .run(started -> assertThat(started).hasFailed().getFailure()
                        .rootCause().hasMessageContaining("baton.redis.mode 'replicated'"));
    }

    @Test
    void waitingForReplicasIsOffByDefaultAndTheSettingIsBoundAndShown() {
        context.withPropertyValues("baton.redis.url=redis://127.0.0.1:1")
                .run(started -> assertThat(started.getBean(CheckpointStore.class).toString())
                        .endsWith(", no wait for replicas"));
        context.withPropertyValues("baton.redis.url=redis://127.0.0.1:1", "baton.redis.wait-replicas=2",
                        "baton.redis.wait-timeout=250ms")
                .run(started -> assertThat(started.getBean(CheckpointStore.class).toString())
                        .endsWith(", wait for 2 replicas within PT0.25S"));
    }

    @Test
    void aNegativeWaitForReplicasStopsTheStartUpAndNamesTheSetting() {
        context.withPropertyValues("baton.redis.wait-replicas=-1")
                .run(started -> assertThat(started).hasFailed().getFailure()
                        .rootCause().hasMessageContaining("baton.redis.wait-replicas must be 0 (off) or more, not -1"));
    }

    @Test
    void aWaitAsLongAsTheCommandTimeoutStopsTheStartUp() {
        context.withPropertyValues("baton.redis.wait-replicas=1", "baton.redis.wait-timeout=5s", "baton.redis.timeout=5s")
                .run(started -> assertThat(started).hasFailed().getFailure()
                        .rootCause().hasMessageContaining("baton.redis.wait-timeout (PT5S) must be shorter than baton.redis.timeout"));
        context.withPropertyValues("baton.redis.wait-replicas=1", "baton.redis.wait-timeout=0s")
                .run(started -> assertThat(started).hasFailed().getFailure()
                        .rootCause().hasMessageContaining("baton.redis.wait-timeout must be at least 1ms"));
    }
}
