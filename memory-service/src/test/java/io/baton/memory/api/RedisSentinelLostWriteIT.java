package io.baton.memory.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.baton.common.testing.RedisTestSentinel;
import io.baton.memory.Checkpoints;
import io.baton.memory.MemoryServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A failover that loses checkpoints the primary acknowledged (Redis replicates asynchronously;
 * docs/state-store.md): the replicas of a real Sentinel set-up are cut off ({@link
 * RedisTestSentinel#isolateReplicas}), the memory service, without {@code wait-replicas}, stores
 * two more checkpoints on the primary alone, the primary is killed and a replica that lacks them
 * promoted. The document is then where the promoted replica had it: the next checkpoint is refused
 * as a {@code checkpoint-conflict} whose {@code head} is the checkpoint that survived and whose
 * {@code expectedSegment} the one after it (never accepted on top of a state that is gone), the lost
 * checkpoints are not found, the survivors read back as written, and a writer continues from the
 * head that survived.
 */
class RedisSentinelLostWriteIT {

    @RegisterExtension
    static final RedisTestSentinel sentinel = new RedisTestSentinel();

    private static MemoryServer server;

    private final String tenant = "it-" + UUID.randomUUID();

    @BeforeAll
    static void startService() {
        server = MemoryServer.start(Map.of("baton.store.kind", "redis", "baton.redis.mode", "sentinel",
                "baton.redis.url", sentinel.url()));
    }

    @AfterAll
    static void stopService() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void checkpointsLostInAFailoverAreNamedByTheNextPutAndNeverBuiltOn() throws Exception {
        for (int n = 0; n <= 2; n++) {
            put(n).expectStatus().isCreated();
        }
        List<Integer> replicas = sentinel.isolateReplicas();
        put(3).expectStatus().isCreated();   // acknowledged by the primary alone
        put(4).expectStatus().isCreated();
        int old = sentinel.primaryPort();
        int promoted = sentinel.crashPrimary(() -> sentinel.resumeReplicas(replicas));
        assertThat(promoted).isNotEqualTo(old);

        // Until the service has found the new primary its puts fail as store-unavailable (503); then
        // segment 5, which continues the lost 4, is refused and told where the document is.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                put(5).expectStatus().isEqualTo(409).expectBody()
                        .jsonPath("$.type").value(type -> assertThat((String) type).endsWith("checkpoint-conflict"))
                        .jsonPath("$.head.segment").isEqualTo(2)
                        .jsonPath("$.segment").isEqualTo(5)
                        .jsonPath("$.expectedSegment").isEqualTo(3));

        head().expectStatus().isOk().expectBody().jsonPath("$.segment").isEqualTo(2).jsonPath("$.version").isEqualTo(3);
        for (int n = 0; n <= 2; n++) {
            assertThat(get(n).expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody())
                    .isEqualTo(checkpoint(n));
        }
        get(3).expectStatus().isNotFound();
        get(4).expectStatus().isNotFound();

        // The writer continues from what survived: segment 3 again, then on.
        put(3).expectStatus().isCreated();
        put(4).expectStatus().isCreated();
        head().expectStatus().isOk().expectBody().jsonPath("$.segment").isEqualTo(4).jsonPath("$.version").isEqualTo(5);
    }

    private static WebTestClient client() {
        return WebTestClient.bindToServer().baseUrl(server.baseUrl()).responseTimeout(Duration.ofSeconds(30)).build();
    }

    private byte[] checkpoint(long segment) {
        return Checkpoints.checkpoint(tenant, "doc", segment);
    }

    private WebTestClient.ResponseSpec put(long segment) {
        return client().put().uri("/v1/documents/doc/checkpoints/" + segment).header(RequestIds.TENANT_HEADER, tenant)
                .contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(checkpoint(segment)).exchange();
    }

    private WebTestClient.ResponseSpec get(long segment) {
        return client().get().uri("/v1/documents/doc/checkpoints/" + segment).header(RequestIds.TENANT_HEADER, tenant)
                .exchange();
    }

    private WebTestClient.ResponseSpec head() {
        return client().get().uri("/v1/documents/doc/head").header(RequestIds.TENANT_HEADER, tenant).exchange();
    }
}
