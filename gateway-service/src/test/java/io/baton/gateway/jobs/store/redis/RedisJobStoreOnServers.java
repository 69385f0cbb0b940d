package io.baton.gateway.jobs.store.redis;

import static org.awaitility.Awaitility.await;

import io.baton.common.redis.RedisConnection;
import io.baton.common.redis.RedisSettings;
import io.baton.gateway.jobs.store.JobStore;
import io.baton.gateway.jobs.store.JobStoreContract;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;

/**
 * The job store contract on real Redis servers of the test class's (one server, a Cluster, a
 * Sentinel set-up): the store on a {@link RedisConnection} opened as the gateway opens it, Redis's
 * clock (on this machine the JVM's), a retention of {@link #SHORT_RETENTION} for the expiry tests,
 * and each tenant's keys scanned and deleted after its test through a plain Lettuce connection
 * ({@link #raw}). A subclass calls {@link #connect} from its {@code @BeforeAll}.
 */
abstract class RedisJobStoreOnServers extends JobStoreContract {

    static final Duration SHORT_RETENTION = Duration.ofSeconds(3);

    private static RedisConnection connection;
    private static AbstractRedisClient rawClient;
    private static StatefulConnection<String, byte[]> rawConnection;
    /** Plain commands on the same servers, routed by slot on a Cluster. */
    static RedisClusterCommands<String, byte[]> raw;

    /**
     * Opens the store's connection with {@code url} in {@code mode} (as {@code baton.redis.*}), and a
     * plain one to {@code rawUrl}: a {@link RedisClusterClient} when {@code mode} is {@code cluster}.
     */
    static void connect(String url, String mode, String rawUrl) {
        connection = RedisConnection.open(RedisSettings.of("baton.test.redis", url, mode, Duration.ofSeconds(10), true));
        if ("cluster".equals(mode)) {
            RedisClusterClient client = RedisClusterClient.create(RedisURI.create(rawUrl));
            StatefulRedisClusterConnection<String, byte[]> opened = client.connect(RedisConnection.CODEC);
            rawClient = client;
            rawConnection = opened;
            raw = opened.sync();
        } else {
            RedisClient client = RedisClient.create();
            StatefulRedisConnection<String, byte[]> opened = client.connect(RedisConnection.CODEC, RedisURI.create(rawUrl));
            rawClient = client;
            rawConnection = opened;
            raw = opened.sync();
        }
    }

    @AfterAll
    static void disconnect() {
        if (rawConnection != null) {
            rawConnection.close();
            RedisConnection.shutdown(rawClient);
            rawConnection = null;
            raw = null;
        }
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    /** The store's connection, for a store of a test's own. */
    static RedisConnection connection() {
        return connection;
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
        return SHORT_RETENTION;
    }

    @Override
    protected void cleanUp(String tenant) {
        List<String> left = tenantKeys(tenant);
        for (String key : left) {
            raw.del(key);   // one key per command: a Cluster routes each to its slot
        }
        for (byte[] member : raw.zrange(JobKeys.ACTIVE, 0, -1)) {
            if (new String(member, StandardCharsets.UTF_8).startsWith(tenant + ":")) {
                raw.zrem(JobKeys.ACTIVE, member);
            }
        }
    }

    /** Every key of {@code tenant}'s jobs and job lists (a Cluster's SCAN walks every primary in turn). */
    static List<String> tenantKeys(String tenant) {
        List<String> keys = new ArrayList<>();
        for (String pattern : List.of("baton:job:{" + tenant + ":*", "baton:jobs:{" + tenant + "}*")) {
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> step = raw.scan(cursor, ScanArgs.Builder.matches(pattern).limit(1000));
                keys.addAll(step.getKeys());
                cursor = step;
            } while (!cursor.isFinished());
        }
        return keys;
    }
}
