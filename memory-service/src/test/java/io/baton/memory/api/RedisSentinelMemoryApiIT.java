package io.baton.memory.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.baton.common.testing.RedisTestSentinel;
import io.baton.memory.Checkpoints;
import io.baton.memory.MemoryServer;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The memory service configured for Sentinel as a deployment would be
 * ({@code baton.redis.mode=sentinel}, a {@code redis-sentinel://} URL naming three real Sentinels
 * that watch a primary and two replicas, {@link RedisTestSentinel}): it gets ready, and a document written, read, listed, forked and deleted over
 * HTTP.
 */
class RedisSentinelMemoryApiIT {

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

    private static WebTestClient client() {
        return WebTestClient.bindToServer().baseUrl(server.baseUrl()).responseTimeout(Duration.ofSeconds(30)).build();
    }

    @Test
    void theServiceBecomesReadyUnderSentinel() {
        // the first probe may find the store still connecting (asking a Sentinel, then the primary) and answer 503,
        // as a Kubernetes probe would be told; the service must get ready without help
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                client().get().uri("/actuator/health/readiness").exchange().expectStatus().isOk()
                        .expectBody().jsonPath("$.status").isEqualTo("UP"));
    }

    @Test
    void aDocumentRoundTripsThroughThePrimaryTheSentinelsName() {
        byte[] zero = Checkpoints.checkpoint(tenant, "doc", 0);
        byte[] one = Checkpoints.checkpoint(tenant, "doc", 1);
        put("doc", 0, zero).expectStatus().isCreated();
        put("doc", 1, one).expectStatus().isCreated();
        put("doc", 1, one).expectStatus().isOk();   // an identical repeat is idempotent
        put("doc", 3, Checkpoints.checkpoint(tenant, "doc", 3)).expectStatus().isEqualTo(409);   // not the next segment

        assertThat(get("doc", 0)).isEqualTo(zero);
        assertThat(get("doc", 1)).isEqualTo(one);
        client().get().uri("/v1/documents/doc/head").header(RequestIds.TENANT_HEADER, tenant).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.segment").isEqualTo(1).jsonPath("$.version").isEqualTo(2);

        client().post().uri("/v1/documents/doc/checkpoints/0/fork").header(RequestIds.TENANT_HEADER, tenant)
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"to\":\"branch\"}").exchange()
                .expectStatus().isCreated().expectBody().jsonPath("$.document").isEqualTo("branch");
        DocumentListResponse listed = client().get().uri("/v1/documents").header(RequestIds.TENANT_HEADER, tenant)
                .exchange().expectStatus().isOk().expectBody(DocumentListResponse.class).returnResult().getResponseBody();
        assertThat(listed.documents()).extracting(DocumentListResponse.Entry::document)
                .containsExactlyInAnyOrder("doc", "branch");

        for (String document : new String[] {"doc", "branch"}) {
            client().delete().uri("/v1/documents/" + document).header(RequestIds.TENANT_HEADER, tenant).exchange()
                    .expectStatus().isNoContent();
            client().get().uri("/v1/documents/" + document + "/head").header(RequestIds.TENANT_HEADER, tenant).exchange()
                    .expectStatus().isNotFound();
        }
    }

    private WebTestClient.ResponseSpec put(String document, long segment, byte[] body) {
        return client().put().uri("/v1/documents/" + document + "/checkpoints/" + segment)
                .header(RequestIds.TENANT_HEADER, tenant)
                .contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(body).exchange();
    }

    private byte[] get(String document, long segment) {
        return client().get().uri("/v1/documents/" + document + "/checkpoints/" + segment)
                .header(RequestIds.TENANT_HEADER, tenant).exchange()
                .expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody();
    }
}
