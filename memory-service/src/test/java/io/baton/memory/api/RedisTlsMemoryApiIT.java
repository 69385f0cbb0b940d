package io.baton.memory.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.baton.common.redis.RedisSettings;
import io.baton.common.testing.RedisTestTls;
import io.baton.memory.Checkpoints;
import io.baton.memory.MemoryServer;
import io.baton.protocol.problems.ProblemType;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The memory service configured for TLS as a deployment would be: a {@code rediss://} URL and
 * {@code baton.redis.tls.ca-file}, {@code cert-file}, {@code key-file} (a real TLS-only Redis that
 * requires client certificates, {@link RedisTestTls}): it gets ready and a document round-trips.
 * Configured with a CA that did not sign the server's certificate, it stays not ready and answers
 * 503 store-unavailable at once, the detail saying that the certificate was not trusted.
 */
class RedisTlsMemoryApiIT {

    @RegisterExtension
    static final RedisTestTls redis = new RedisTestTls();

    private final String tenant = "it-" + UUID.randomUUID();

    private static MemoryServer start(RedisSettings.Tls tls) {
        return MemoryServer.start(Map.of("baton.store.kind", "redis", "baton.redis.url", redis.url(),
                "baton.redis.tls.ca-file", tls.caFile().toString(),
                "baton.redis.tls.cert-file", tls.certFile().toString(),
                "baton.redis.tls.key-file", tls.keyFile().toString()));
    }

    private static WebTestClient client(MemoryServer server) {
        return WebTestClient.bindToServer().baseUrl(server.baseUrl()).responseTimeout(Duration.ofSeconds(30)).build();
    }

    @Test
    void theServiceBecomesReadyAndADocumentRoundTripsOverTls() {
        try (MemoryServer server = start(redis.clientTls())) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    client(server).get().uri("/actuator/health/readiness").exchange().expectStatus().isOk());
            byte[] zero = Checkpoints.checkpoint(tenant, "doc", 0);
            client(server).put().uri("/v1/documents/doc/checkpoints/0").header(RequestIds.TENANT_HEADER, tenant)
                    .contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(zero).exchange().expectStatus().isCreated();
            byte[] read = client(server).get().uri("/v1/documents/doc/checkpoints/0").header(RequestIds.TENANT_HEADER, tenant)
                    .exchange().expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody();
            assertThat(read).isEqualTo(zero);
            client(server).delete().uri("/v1/documents/doc").header(RequestIds.TENANT_HEADER, tenant).exchange()
                    .expectStatus().isNoContent();
        }
    }

    @Test
    void aCaThatDidNotSignTheServerIsA503SayingSo() {
        RedisSettings.Tls client = redis.clientTls();
        RedisSettings.Tls otherCa = new RedisSettings.Tls(redis.certificates().pem("stranger").certificate(),
                client.certFile(), client.keyFile());
        try (MemoryServer server = start(otherCa)) {
            String body = new String(client(server).get().uri("/v1/documents/doc/head").header(RequestIds.TENANT_HEADER, tenant)
                    .exchange().expectStatus().isEqualTo(503)
                    .expectBody().jsonPath("$.type").isEqualTo(ProblemType.TYPE_PREFIX + "store-unavailable")
                    .returnResult().getResponseBodyContent());
            assertThat(body).contains("unable to find valid certification path").doesNotContain("Exception:");
            client(server).get().uri("/actuator/health/readiness").exchange().expectStatus().isEqualTo(503);
        }
    }
}
