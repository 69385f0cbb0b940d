package io.baton.memory.api;

import io.baton.common.testing.RedisTestCluster;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link RedisTopologyMemoryApi} on a Redis Cluster: {@code baton.redis.mode=cluster} with the seed
 * nodes of a real six-node cluster ({@link RedisTestCluster}).
 */
class RedisClusterMemoryApiIT extends RedisTopologyMemoryApi {

    @RegisterExtension
    static final RedisTestCluster cluster = new RedisTestCluster();

    @Override
    protected Map<String, String> redisSettings() {
        return Map.of("baton.redis.mode", "cluster", "baton.redis.url", cluster.seeds());
    }
}
