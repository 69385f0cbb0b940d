package io.baton.memory.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.common.redis.RedisConnection;
import io.baton.common.redis.RedisSettings;
import io.baton.common.testing.RedisTestSentinel;
import io.baton.memory.MemoryProperties;
import io.baton.memory.store.DocumentKey;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The store contract through Sentinels and data nodes that speak only TLS and require client
 * certificates ({@link RedisTestSentinel#tls()}), as a deployment configures it: a {@code
 * rediss-sentinel://} URL and the test CA and client certificate in {@code baton.redis.tls.*}. The
 * Sentinels are reached over TLS to learn the primary, and the primary over TLS with the same trust; a
 * client without the test CA is refused and writes nothing.
 */
class RedisSentinelTlsCheckpointStoreIT extends RedisStoreContract {

    @RegisterExtension
    static final RedisTestSentinel sentinel = RedisTestSentinel.tls();

    @Override
    protected RedisSettings settings() {
        return new MemoryProperties.Redis(sentinel.url(), "sentinel", Duration.ofSeconds(10), true, sentinel.clientTls())
                .settings();
    }

    @Test
    void aClientThatDoesNotTrustTheCaIsRefusedAndWritesNothing() {
        DocumentKey key = doc("untrusted");
        try (RedisConnection refused = RedisConnection.open(new MemoryProperties.Redis(sentinel.url(), "sentinel",
                Duration.ofSeconds(5), true, RedisSettings.Tls.NONE).settings())) {
            RedisCheckpointStore other = new RedisCheckpointStore(refused, POLICY);
            assertThatThrownBy(() -> other.put(key, record(0, "c0")).block()).isNotNull();
        }
        assertThat(store.head(key).blockOptional()).isEmpty();
    }

    @Test
    void theUrlIsATlsSentinelUrl() {
        assertThat(sentinel.url()).startsWith("rediss-sentinel://");
        assertThat(settings().mode()).isEqualTo(RedisSettings.Mode.SENTINEL);
        assertThat(settings().uris().get(0).getSentinels()).allSatisfy(s -> assertThat(s.isSsl()).isTrue());
    }
}
