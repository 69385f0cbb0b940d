package io.baton.gateway.jobs.store.redis;

import static org.awaitility.Awaitility.await;

import io.baton.common.redis.RedisConnection;
import io.baton.common.redis.RedisSettings;
import io.baton.common.testing.RedisTestCluster;
import io.baton.gateway.jobs.store.JobStore;
import io.baton.gateway.jobs.store.JobStoreContract;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job store contract against a real Redis Cluster of six nodes ({@link RedisTestCluster}),
 * connected as the gateway does with {@code baton.redis.mode=cluster} and three seed nodes: every
 * script on a job's or a tenant's keys, and the plain commands on {@link JobKeys#ACTIVE}, routed by
 * slot.
 */
class RedisClusterJobStoreIT extends JobStoreContract {

    @RegisterExtension
    static final RedisTestCluster cluster = new RedisTestCluster();

    private static RedisConnection connection;
    private static RedisClusterClient rawClient;
    private static StatefulRedisClusterConnection<String, byte[]> rawConnection;
    private static RedisAdvancedClusterCommands<String, byte[]> raw;

    @BeforeAll
    static void connect() {
        connection = RedisConnection.open(RedisSettings.of("baton.test.redis", cluster.seeds(), "cluster",
                Duration.ofSeconds(10), true));
        rawClient = RedisClusterClient.create(RedisURI.create("redis://127.0.0.1:" + cluster.ports().get(0)));
        rawConnection = rawClient.connect(RedisConnection.CODEC);
        raw = rawConnection.sync();
    }

    @AfterAll
    static void disconnect() {
        if (rawConnection != null) {
            rawConnection.close();
            rawClient.shutdown();
        }
        if (connection != null) {
            connection.close();
        }
    }

    @Override
    protected JobStore newStore() {
        return new RedisJobStore(connection);
    }

    @Override
    protected Instant now() {
        return Instant.ofEpochMilli(System.currentTimeMillis());
    }

    @Override
    protected void passTime(Instant instant) {
        await().atMost(Duration.between(now(), instant).plusSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> now().isAfter(instant));
    }

    @Override
    protected Duration shortRetention() {
        return Duration.ofSeconds(3);
    }

    @Override
    protected void cleanUp(String tenant) {
        List<String> left = new ArrayList<>();
        for (String pattern : List.of("baton:job:{" + tenant + ":*", "baton:jobs:{" + tenant + "}*")) {
            ScanCursor cursor = ScanCursor.INITIAL;
            do {   // a cluster SCAN walks every primary in turn
                KeyScanCursor<String> step = raw.scan(cursor, ScanArgs.Builder.matches(pattern).limit(1000));
                left.addAll(step.getKeys());
                cursor = step;
            } while (!cursor.isFinished());
        }
        for (String key : left) {
            raw.del(key);
        }
        for (byte[] member : raw.zrange(JobKeys.ACTIVE, 0, -1)) {
            if (new String(member, StandardCharsets.UTF_8).startsWith(tenant + ":")) {
                raw.zrem(JobKeys.ACTIVE, member);
            }
        }
    }
}
