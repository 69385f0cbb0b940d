package io.baton.gateway.jobs.store.redis;

import static org.awaitility.Awaitility.await;

import io.baton.common.redis.RedisConnection;
import io.baton.common.redis.RedisSettings;
import io.baton.common.testing.RedisTestSentinel;
import io.baton.gateway.jobs.store.JobStore;
import io.baton.gateway.jobs.store.JobStoreContract;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job store contract against a real primary with two replicas under three Sentinels
 * ({@link RedisTestSentinel}), connected as the gateway does with {@code baton.redis.mode=sentinel}
 * and a {@code redis-sentinel://} URL. Clean-up goes through the Sentinel URL as well, so it reaches
 * the same primary.
 */
class RedisSentinelJobStoreIT extends JobStoreContract {

    @RegisterExtension
    static final RedisTestSentinel sentinel = new RedisTestSentinel();

    private static RedisConnection connection;
    private static RedisClient rawClient;
    private static StatefulRedisConnection<String, byte[]> rawConnection;
    private static RedisCommands<String, byte[]> raw;

    @BeforeAll
    static void connect() {
        connection = RedisConnection.open(RedisSettings.of("baton.test.redis", sentinel.url(), "sentinel",
                Duration.ofSeconds(10), true));
        rawClient = RedisClient.create();
        rawConnection = rawClient.connect(RedisConnection.CODEC, RedisURI.create(sentinel.url()));
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
            do {
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
