package io.baton.memory.store.redis;

import io.baton.common.redis.RedisConnection;
import io.baton.common.redis.RedisSettings;
import io.baton.common.testing.TestServers;
import io.baton.memory.MemoryProperties;
import io.baton.memory.store.CheckpointStore;
import io.baton.memory.store.CheckpointStoreContract;
import io.baton.memory.store.StorePolicy;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The shared store contract against a real Redis ({@link TestServers}). */
class RedisCheckpointStoreIT extends CheckpointStoreContract {

    private static RedisConnection connection;

    @BeforeAll
    static void connect() {
        connection = RedisConnection.open(settings(TestServers.redisUrl()));
    }

    @AfterAll
    static void disconnect() {
        if (connection != null) {
            connection.close();
        }
    }

    static RedisSettings settings(String url) {
        return new MemoryProperties.Redis(url, "standalone", Duration.ofSeconds(10), true, RedisSettings.Tls.NONE).settings();
    }

    @Override
    protected CheckpointStore newStore(StorePolicy policy) {
        return new RedisCheckpointStore(connection, policy);
    }
}
