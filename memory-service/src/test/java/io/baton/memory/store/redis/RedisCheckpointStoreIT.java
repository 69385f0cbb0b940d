package io.baton.memory.store.redis;

import io.baton.common.redis.RedisSettings;
import io.baton.common.testing.TestServers;
import io.baton.memory.MemoryProperties;
import java.time.Duration;

/** The shared store contract against a real Redis ({@link TestServers}). */
class RedisCheckpointStoreIT extends RedisStoreContract {

    @Override
    protected RedisSettings settings() {
        return settings(TestServers.redisUrl());
    }

    static RedisSettings settings(String url) {
        return new MemoryProperties.Redis(url, "standalone", Duration.ofSeconds(10), true, RedisSettings.Tls.NONE).settings();
    }
}
