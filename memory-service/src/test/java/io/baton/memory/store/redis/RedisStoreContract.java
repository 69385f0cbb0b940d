package io.baton.memory.store.redis;

import io.baton.common.redis.RedisConnection;
import io.baton.common.redis.RedisSettings;
import io.baton.memory.store.CheckpointStore;
import io.baton.memory.store.CheckpointStoreContract;
import io.baton.memory.store.StorePolicy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInfo;

/**
 * The shared store contract against one Redis deployment: a {@link RedisCheckpointStore} over one {@link
 * RedisConnection} per test class, opened from {@link #settings()} at the class's first test (its servers, which
 * its own extension starts, are up by then) and closed after its last. What the standalone, TLS, Cluster and
 * Sentinel ITs differ in is only how they reach their servers, and the tests of their own.
 */
abstract class RedisStoreContract extends CheckpointStoreContract {

    private static final Map<Class<?>, RedisConnection> CONNECTIONS = new ConcurrentHashMap<>();

    /** How this class's deployment is reached, as the memory service's configuration gives it. */
    protected abstract RedisSettings settings();

    @Override
    protected CheckpointStore newStore(StorePolicy policy) {
        return new RedisCheckpointStore(CONNECTIONS.computeIfAbsent(getClass(), c -> RedisConnection.open(settings())),
                policy);
    }

    @AfterAll
    static void disconnect(TestInfo test) {
        RedisConnection connection = CONNECTIONS.remove(test.getTestClass().orElseThrow());
        if (connection != null) {
            connection.close();
        }
    }
}
