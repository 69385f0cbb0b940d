package io.baton.memory.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.baton.memory.Checkpoints;
import io.baton.memory.MemoryServer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The memory service configured for a Redis topology as a deployment would be ({@link
 * #redisSettings()}: a Cluster's seeds, Sentinels, ...; the subclass registers the real servers):
 * it gets ready without help, and a document is written, read, listed, forked and deleted over
 * HTTP. One service per test class, a tenant of its own per test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RedisTopologyMemoryApi {

    private MemoryServer server;

    protected String tenant;

    /** The {@code baton.redis.*} settings that point the service at the test class's servers. */
    protected abstract Map<String, String> redisSettings();

    @BeforeAll
    void startService() {
        Map<String, String> settings = new LinkedHashMap<>(redisSettings());
        settings.put("baton.store.kind", "redis");
        server = MemoryServer.start(settings);
    }

    @AfterAll
    void stopService() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void newTenant() {
        tenant = "it-" + UUID.randomUUID();
    }

    @Test
    void theServiceBecomesReady() {
        // the first probe may find the store still connecting (a topology, or a Sentinel, then the
        // nodes) and answer 503, as a Kubernetes probe would be told; the service must get ready without help
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                client().get().uri("/actuator/health/readiness").exchange().expectStatus().isOk()
                        .expectBody().jsonPath("$.status").isEqualTo("UP"));
    }

    @Test
    void aDocumentRoundTrips() {
        byte[] zero = checkpoint("doc", 0);
        byte[] one = checkpoint("doc", 1);
        put("doc", 0).expectStatus().isCreated();
        put("doc", 1).expectStatus().isCreated();
        put("doc", 1).expectStatus().isOk();   // an identical repeat is idempotent
        put("doc", 3).expectStatus().isEqualTo(409);   // not the next segment

        assertThat(get("doc", 0).expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody())
                .isEqualTo(zero);
        assertThat(get("doc", 1).expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody())
                .isEqualTo(one);
        head("doc").expectStatus().isOk().expectBody().jsonPath("$.segment").isEqualTo(1).jsonPath("$.version").isEqualTo(2);

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
            head(document).expectStatus().isNotFound();
        }
    }

    protected WebTestClient client() {
        return WebTestClient.bindToServer().baseUrl(server.baseUrl()).responseTimeout(Duration.ofSeconds(30)).build();
    }

    /** The test checkpoint of {@code segment} of {@code document} (the same bytes each time). */
    protected byte[] checkpoint(String document, long segment) {
        return Checkpoints.checkpoint(tenant, document, segment);
    }

    /** {@code PUT} of {@link #checkpoint} as checkpoint {@code segment}. */
    protected WebTestClient.ResponseSpec put(String document, long segment) {
        return client().put().uri("/v1/documents/" + document + "/checkpoints/" + segment)
                .header(RequestIds.TENANT_HEADER, tenant)
                .contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(checkpoint(document, segment)).exchange();
    }

    protected WebTestClient.ResponseSpec get(String document, long segment) {
        return client().get().uri("/v1/documents/" + document + "/checkpoints/" + segment)
                .header(RequestIds.TENANT_HEADER, tenant).exchange();
    }

    protected WebTestClient.ResponseSpec head(String document) {
        return client().get().uri("/v1/documents/" + document + "/head").header(RequestIds.TENANT_HEADER, tenant)
                .exchange();
    }
}
