package io.baton.gateway.jobs.store.redis;

import io.baton.common.testing.RedisTestCluster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job store contract against a real Redis Cluster of six nodes ({@link RedisTestCluster}),
 * connected as the gateway does with {@code baton.redis.mode=cluster} and three seed nodes: every
 * script on a job's or a tenant's keys, and the plain commands on {@link JobKeys#ACTIVE}, routed by
 * slot.
 */
class RedisClusterJobStoreIT extends RedisJobStoreOnServers {

    @RegisterExtension
    static final RedisTestCluster cluster = new RedisTestCluster();

    @BeforeAll
    static void connect() {
        connect(cluster.seeds(), "cluster", "redis://127.0.0.1:" + cluster.ports().get(0));
    }
}
