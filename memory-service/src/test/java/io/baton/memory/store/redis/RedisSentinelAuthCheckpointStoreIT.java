package io.baton.memory.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.common.redis.RedisConnection;
import io.baton.common.redis.RedisSettings;
import io.baton.common.testing.RedisTestSentinel;
import io.baton.memory.MemoryProperties;
import io.baton.memory.store.DocumentKey;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The store contract through Sentinels and data nodes that all ask for a password, as a secured
 * deployment runs them ({@link RedisTestSentinel#RedisTestSentinel(String)}): the data nodes' password in
 * the {@code redis-sentinel://password@...} URL, the Sentinels' in {@code baton.redis.sentinel-password}.
 * Without the latter Lettuce cannot ask the Sentinels for the primary (it does not send the URL's password
 * to them), and with a wrong data-node password every command fails; neither writes anything.
 */
class RedisSentinelAuthCheckpointStoreIT extends RedisStoreContract {

    private static final String PASSWORD = "s3cret-Sentinel-pw";

    @RegisterExtension
    static final RedisTestSentinel sentinel = new RedisTestSentinel(PASSWORD);

    @Override
    protected RedisSettings settings() {
        return settings(sentinel.url(), PASSWORD);
    }

    @Test
    void theStoreWritesToThePrimaryThroughSentinelsThatAskForThePassword() {
        write(doc("secured"), 0, 1);

        String head = "baton:{" + tenant + ":secured}:head";
        String segment = onPrimary(PASSWORD, node -> node.sync().hget(head, "segment"));
        assertThat(segment).isEqualTo("1");
        assertThatThrownBy(() -> onPrimary(null, node -> node.sync().hget(head, "segment")))
                .hasStackTraceContaining("NOAUTH");
    }

    @Test
    void withoutTheSentinelsPasswordTheStoreCannotFindThePrimaryAndWritesNothing() {
        refusedAndNothingWritten(settings(sentinel.url(), null), "no-sentinel-password");
    }

    @Test
    void aWrongPasswordFailsEveryCommandAndWritesNothing() {
        refusedAndNothingWritten(settings(sentinel.url().replace(PASSWORD + "@", "not-the-password@"), PASSWORD),
                "wrong-password");
    }

    private void refusedAndNothingWritten(RedisSettings settings, String document) {
        DocumentKey key = doc(document);
        try (RedisConnection refused = RedisConnection.open(settings)) {
            RedisCheckpointStore other = new RedisCheckpointStore(refused, POLICY);
            assertThatThrownBy(() -> other.put(key, record(0, "c0")).block()).isNotNull();
            assertThatThrownBy(() -> other.head(key).block()).isNotNull();
        }
        assertThat(store.head(key).blockOptional()).isEmpty();
        Long written = onPrimary(PASSWORD, node -> node.sync().exists("baton:{" + tenant + ":" + document + "}:head"));
        assertThat(written).isZero();
    }

    private static RedisSettings settings(String url, String sentinelPassword) {
        return new MemoryProperties.Redis(url, "sentinel", Duration.ofSeconds(5), true, RedisSettings.Tls.NONE, 0,
                Duration.ofSeconds(1), sentinelPassword).settings();
    }

    private static <T> T onPrimary(String password, Function<StatefulRedisConnection<String, String>, T> ask) {
        return RedisReplicaWait.onNode(RedisURI.create("redis://" + (password == null ? "" : ":" + password + "@")
                + "127.0.0.1:" + sentinel.primaryPort()), ask);
    }
}
