package io.baton.memory.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.common.redis.RedisSettings;
import io.baton.common.testing.RedisTestCluster;
import io.baton.memory.MemoryProperties;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shared store contract against a real six-node Redis Cluster that speaks only TLS, between
 * its nodes too, and requires client certificates ({@link RedisTestCluster#tls()}): through
 * {@code baton.redis.mode=cluster}, three {@code rediss://} seeds and {@code baton.redis.tls.*},
 * with peer and host name verified on every node the topology names.
 */
class RedisTlsClusterCheckpointStoreIT extends RedisStoreContract {

    @RegisterExtension
    static final RedisTestCluster cluster = RedisTestCluster.tls();

    @Override
    protected RedisSettings settings() {
        return new MemoryProperties.Redis(cluster.seeds(), "cluster", Duration.ofSeconds(10),
                true, cluster.clientTls()).settings();
    }

    @Test
    void documentsOnEveryPrimaryAreReachedOverTls() {
        // 24 documents land on all three primaries (RedisClusterCheckpointStoreIT shows the spread):
        // each read goes to its primary over its own TLS connection
        for (int i = 0; i < 24; i++) {
            write(doc("spread-" + i), 0, 1);
        }
        assertThat(listAll(store, tenant, 7)).hasSize(24);
        assertThat(cluster.seeds()).startsWith("rediss://");
    }
}
