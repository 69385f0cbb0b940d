package io.baton.common.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisURI;
import io.lettuce.core.SslVerifyMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a service's Redis settings (here as memory names them, {@code baton.redis.*}) become Lettuce
 * URIs and options. This checks the configuration only; the connections themselves (TLS, Sentinel,
 * Cluster) are exercised by the services' integration tests against real servers, see
 * docs/state-store.md.
 */
class RedisSettingsTest {

    private static RedisSettings settings(String url, String mode) {
        return RedisSettings.of("baton.redis", url, mode, Duration.ofSeconds(3), true);
    }

    @Test
    void aPlainUrlIsOneStandaloneServer() {
        RedisSettings settings = settings("redis://127.0.0.1:6379", "standalone");
        assertThat(settings.mode()).isEqualTo(RedisSettings.Mode.STANDALONE);
        RedisURI uri = settings.uris().get(0);
        assertThat(uri.getHost()).isEqualTo("127.0.0.1");
        assertThat(uri.getPort()).isEqualTo(6379);
        assertThat(uri.isSsl()).isFalse();
        assertThat(uri.getTimeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void userAndPasswordInTheUrlAreUsedForAuth() {
        RedisURI uri = settings("redis://baton:s3cret@redis.internal:6380/2", "standalone").uris().get(0);
        assertThat(uri.getUsername()).isEqualTo("baton");
        assertThat(new String(uri.getPassword())).isEqualTo("s3cret");
        assertThat(uri.getDatabase()).isEqualTo(2);

        RedisURI passwordOnly = settings("redis://:s3cret@redis.internal:6380", "standalone").uris().get(0);
        assertThat(passwordOnly.getUsername()).isNull();
        assertThat(new String(passwordOnly.getPassword())).isEqualTo("s3cret");
    }

    @Test
    void theSentinelsPasswordGoesToEverySentinelAndTheUrlsToThePrimary() {
        RedisSettings settings = RedisSettings.of("baton.redis", "redis-sentinel://data-pw@s1:26379,s2:26379#baton",
                "sentinel", Duration.ofSeconds(3), true, RedisSettings.Tls.NONE, "sentinel-pw");
        RedisURI uri = settings.uris().get(0);
        assertThat(new String(uri.getPassword())).isEqualTo("data-pw");
        assertThat(uri.getSentinels()).hasSize(2).allSatisfy(sentinel -> assertThat(
                new String(sentinel.getCredentialsProvider().resolveCredentials().block().getPassword()))
                .isEqualTo("sentinel-pw"));

        RedisURI open = settings("redis-sentinel://data-pw@s1:26379,s2:26379#baton", "sentinel").uris().get(0);
        assertThat(open.getSentinels()).allSatisfy(sentinel -> assertThat(
                sentinel.getCredentialsProvider().resolveCredentials().block().hasPassword()).isFalse());

        assertThatThrownBy(() -> RedisSettings.of("baton.redis", "redis://h:6379", "standalone", Duration.ofSeconds(3),
                true, RedisSettings.Tls.NONE, "sentinel-pw"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("baton.redis.sentinel-password is set but baton.redis.url is not a Sentinel URL");
    }

    @Test
    void redissMeansTlsWithFullPeerVerificationUnlessTurnedOff() {
        RedisURI verified = settings("rediss://redis.internal:6380", "standalone").uris().get(0);
        assertThat(verified.isSsl()).isTrue();
        assertThat(verified.getVerifyMode()).isEqualTo(SslVerifyMode.FULL);

        RedisURI unverified = RedisSettings.of("baton.redis", "rediss://redis.internal:6380", "standalone",
                Duration.ofSeconds(3), false).uris().get(0);
        assertThat(unverified.isSsl()).isTrue();
        assertThat(unverified.getVerifyMode()).isEqualTo(SslVerifyMode.NONE);
    }

    @Test
    void tlsFilesAreCheckedAtStartUpNamingTheirProperty(@TempDir Path folder) throws Exception {
        Path pem = Files.writeString(folder.resolve("ca.crt"), "not a certificate");
        Path missing = folder.resolve("missing.crt");
        assertThatThrownBy(() -> tls("redis://h:1", new RedisSettings.Tls(pem, null, null)))
                .hasMessageContaining("baton.redis.tls.* is set but baton.redis.url is not a TLS URL");
        assertThatThrownBy(() -> tls("rediss://h:1", new RedisSettings.Tls(null, pem, null)))
                .hasMessageContaining("baton.redis.tls.cert-file and baton.redis.tls.key-file go together");
        assertThatThrownBy(() -> tls("rediss://h:1", new RedisSettings.Tls(missing, null, null)))
                .hasMessageContaining("baton.redis.tls.ca-file " + missing + " is not a readable file");
        assertThatThrownBy(() -> tls("rediss://h:1", new RedisSettings.Tls(pem, null, null)))
                .hasMessageContaining("baton.redis.tls.* do not make a TLS context");
        assertThat(tls("rediss://h:1", RedisSettings.Tls.NONE).tls()).isEqualTo(RedisSettings.Tls.NONE);
    }

    private static RedisSettings tls(String url, RedisSettings.Tls tls) {
        return RedisSettings.of("baton.redis", url, "standalone", Duration.ofSeconds(3), true, tls);
    }

    @Test
    void aSentinelUrlNamesTheSentinelsAndTheMaster() {
        RedisSettings settings = settings("redis-sentinel://:pw@s1:26379,s2:26380/0#mymaster", "standalone");
        assertThat(settings.mode()).isEqualTo(RedisSettings.Mode.SENTINEL);
        RedisURI uri = settings.uris().get(0);
        assertThat(uri.getSentinelMasterId()).isEqualTo("mymaster");
        assertThat(uri.getSentinels()).extracting(RedisURI::getHost, RedisURI::getPort)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("s1", 26379), org.assertj.core.groups.Tuple.tuple("s2", 26380));
        assertThat(new String(uri.getPassword())).isEqualTo("pw");

        assertThat(settings("redis-sentinel://s1:26379#mymaster", "sentinel").mode()).isEqualTo(RedisSettings.Mode.SENTINEL);
        assertThatThrownBy(() -> settings("redis://s1:6379", "sentinel"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Sentinel URL");
    }

    @Test
    void clusterSeedsAreCommaSeparatedAndMayInheritSchemeAndCredentials() {
        RedisSettings settings = settings("rediss://:pw@n1:7000, n2:7001,rediss://:other@n3:7002", "cluster");
        assertThat(settings.mode()).isEqualTo(RedisSettings.Mode.CLUSTER);
        assertThat(settings.uris()).extracting(RedisURI::getHost, RedisURI::getPort).containsExactly(
                org.assertj.core.groups.Tuple.tuple("n1", 7000), org.assertj.core.groups.Tuple.tuple("n2", 7001),
                org.assertj.core.groups.Tuple.tuple("n3", 7002));
        assertThat(settings.uris()).allSatisfy(uri -> assertThat(uri.isSsl()).isTrue());
        assertThat(new String(settings.uris().get(1).getPassword())).isEqualTo("pw");
        assertThat(new String(settings.uris().get(2).getPassword())).isEqualTo("other");
        assertThat(settings.uris()).allSatisfy(uri -> assertThat(uri.getTimeout()).isEqualTo(Duration.ofSeconds(3)));
        assertThat(settings.clusterClientOptions().getTopologyRefreshOptions().isPeriodicRefreshEnabled()).isTrue();
        assertThat(settings.clusterClientOptions().getTimeoutOptions().isTimeoutCommands()).isTrue();

        assertThatThrownBy(() -> settings("redis-sentinel://s1:26379#m", "cluster"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cluster");
        assertThatThrownBy(() -> settings("redis://n1:7000,,n2:7001", "cluster"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty seed");
    }

    @Test
    void commandsTimeOutAfterTheConfiguredTimeout() {
        RedisSettings settings = settings("redis://127.0.0.1:6379", "standalone");
        assertThat(settings.clientOptions().getTimeoutOptions().isTimeoutCommands()).isTrue();
        assertThat(settings.clientOptions().getSocketOptions().getConnectTimeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void wrongSettingsFailWithAMessageThatNamesThem() {
        assertThatThrownBy(() -> settings("redis://127.0.0.1:6379", "replicated"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("baton.redis.mode 'replicated'");
        assertThatThrownBy(() -> settings(" ", "standalone"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("baton.redis.url");
        assertThatThrownBy(() -> settings("http://:pw@127.0.0.1:6379", "standalone"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a Redis URL")
                .hasMessageNotContaining("pw@");
        assertThatThrownBy(() -> RedisSettings.of("baton.redis", "redis://h:1", "standalone", Duration.ZERO, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
    }

    @Test
    void messagesNameTheSettingsOfTheServiceThatGaveThem() {
        assertThatThrownBy(() -> RedisSettings.of("baton.jobs.redis", "", "standalone", Duration.ofSeconds(3), true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("baton.jobs.redis.url").hasMessageContaining("BATON_JOBS_REDIS_URL");
        assertThatThrownBy(() -> RedisSettings.of("baton.jobs.redis", "redis://h:1", "replicated", Duration.ofSeconds(3), true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("baton.jobs.redis.mode 'replicated'");
    }

    @Test
    void theDescriptionHidesThePassword() {
        String description = settings("rediss://baton:s3cret@redis.internal:6380", "standalone").describe();
        assertThat(description).doesNotContain("s3cret").contains("redis.internal").contains("TLS");
    }
}
