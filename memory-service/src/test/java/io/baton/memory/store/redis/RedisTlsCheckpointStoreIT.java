package io.baton.memory.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.common.redis.RedisSettings;
import io.baton.common.testing.RedisTestTls;
import io.baton.memory.MemoryProperties;
import io.baton.memory.store.DocumentKey;
import io.baton.memory.store.StoreUnavailableException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shared store contract over TLS: a real {@code redis-server} that speaks only TLS and requires
 * a client certificate ({@link RedisTestTls}), reached with a {@code rediss://} URL, the test CA as
 * {@code baton.redis.tls.ca-file} and a client certificate signed by it as {@code cert-file} and
 * {@code key-file}, peer and host name verified. And the refusals: a server whose certificate the
 * configured CA did not sign, the JVM's trust store (which does not know the test CA), and no client
 * certificate are each 503 (store unavailable) at once, saying why, never a hang.
 */
class RedisTlsCheckpointStoreIT extends RedisStoreContract {

    @RegisterExtension
    static final RedisTestTls redis = new RedisTestTls();

    /** Longer than the connect and command timeouts below: a refusal must come well before it. */
    private static final Duration NO_HANG = Duration.ofSeconds(30);

    @Override
    protected RedisSettings settings() {
        return settings(redis.clientTls(), true);
    }

    private static RedisSettings settings(RedisSettings.Tls tls, boolean verifyPeer) {
        return new MemoryProperties.Redis(redis.url(), "standalone", Duration.ofSeconds(5), verifyPeer, tls).settings();
    }

    @Test
    void aServerCertificateTheConfiguredCaDidNotSignIsRefused() {
        RedisSettings.Tls client = redis.clientTls();
        RedisSettings.Tls otherCa = new RedisSettings.Tls(redis.certificates().pem("stranger").certificate(),
                client.certFile(), client.keyFile());
        assertRefused(settings(otherCa, true), "certification path");
    }

    @Test
    void theJvmTrustStoreDoesNotTrustThePrivateCa() {
        RedisSettings.Tls client = redis.clientTls();
        assertRefused(settings(new RedisSettings.Tls(null, client.certFile(), client.keyFile()), true), "certification path");
    }

    @Test
    void withoutAClientCertificateTheServerRefuses() {
        assertRefused(settings(new RedisSettings.Tls(redis.clientTls().caFile(), null, null), true), "certificate_required");
    }

    @Test
    void verifyPeerFalseTrustsTheServerWithoutACa() {
        RedisSettings.Tls client = redis.clientTls();
        try (RedisCheckpointStore unverified = RedisCheckpointStore.open(
                settings(new RedisSettings.Tls(null, client.certFile(), client.keyFile()), false), POLICY)) {
            DocumentKey key = doc("unverified");
            assertThat(unverified.put(key, record(0, "c0")).block(NO_HANG).created()).isTrue();
            assertThat(store.checkpoint(key, 0).block().stored()).isEqualTo(text("c0"));
        }
    }

    private void assertRefused(RedisSettings settings, String why) {
        try (RedisCheckpointStore refused = RedisCheckpointStore.open(settings, POLICY)) {
            DocumentKey key = doc("refused");
            assertThatThrownBy(() -> refused.put(key, record(0, "c0")).block(NO_HANG))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining(why);
            assertThat(store.head(key).block()).isNull();
        }
    }
}
