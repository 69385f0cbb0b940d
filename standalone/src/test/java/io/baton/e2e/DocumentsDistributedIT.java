package io.baton.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.common.testing.SpringServer;
import io.baton.common.testing.TestServers;
import io.baton.gateway.GatewayServiceApplication;
import io.baton.gateway.documents.DocumentView;
import io.baton.gateway.documents.DocumentWrite;
import io.baton.inference.InferenceServiceApplication;
import io.baton.memory.MemoryServiceApplication;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The documents API in distributed mode: the gateway reaches inference and memory over HTTP
 * ({@code HttpInferenceClient} with generation, {@code HttpMemoryClient} for heads, checkpoints and
 * delete), the three applications in this JVM on their own ports, Redis behind memory, memory and
 * inference requiring the service token the gateway and inference send. Only the
 * gateway's HTTP paths are the subject here; the documents' behaviour is {@code DocumentsApiTest}'s.
 */
class DocumentsDistributedIT {

    static final String TENANT = "distributed-" + UUID.randomUUID();
    /** Memory and inference require it, as deployed; inference and the gateway send it. */
    static final String TOKEN = UUID.randomUUID().toString().replace("-", "");
    static final String TEXT = "Call me Ishmael. Some years ago, never mind how long precisely, having little or no "
            + "money in my purse, and nothing particular to interest me on shore, I thought I would sail about a little "
            + "and see the watery part of the world. It is a way I have of driving off the spleen and regulating the "
            + "circulation. Whenever I find myself growing grim about the mouth; whenever it is a damp, drizzly "
            + "November in my soul; then, I account it high time to get to sea as soon as I can.";

    static SpringServer memory;
    static SpringServer inference;
    static SpringServer gateway;
    static WebTestClient client;
    static WebTestClient memoryClient;

    @BeforeAll
    static void start() {
        memory = SpringServer.start(MemoryServiceApplication.class, Map.of("baton.store.kind", "redis",
                "baton.redis.url", TestServers.redisUrl(), "baton.service-token", TOKEN));
        // Requests without a model get the byte-level tiny fixture, whose segment sizes the test knows.
        inference = SpringServer.start(InferenceServiceApplication.class, Map.of("baton.memory.url", memory.baseUrl(),
                "baton.models.default-model", "gemma2-tiny", "baton.service-token", TOKEN));
        gateway = SpringServer.start(GatewayServiceApplication.class, Map.of("baton.inference.url", inference.baseUrl(),
                "baton.memory.url", memory.baseUrl(), "baton.access.tenant", TENANT, "baton.access.open", "true",
                "baton.segmenting.max-tokens", "64", "baton.models.default-model", "gemma2-tiny",
                "baton.service-token", TOKEN));
        client = WebTestClient.bindToServer().baseUrl(gateway.baseUrl()).responseTimeout(Duration.ofMinutes(2)).build();
        memoryClient = WebTestClient.bindToServer().baseUrl(memory.baseUrl())
                .defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN).build();
    }

    @AfterAll
    static void stop() {
        for (SpringServer server : new SpringServer[] {gateway, inference, memory}) {
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void ingestAppendGenerateGetAndDeleteOverHttp() {
        DocumentWrite whole = ingest("whole-" + UUID.randomUUID(), TEXT);
        assertThat(whole.written()).hasSizeGreaterThan(3);
        int cut = (int) whole.written().get(1).end();

        String id = "parts-" + UUID.randomUUID();
        ingest(id, TEXT.substring(0, cut));
        DocumentWrite appended = client.post().uri("/v1/documents/" + id + ":append")
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("text", TEXT.substring(cut)))
                .exchange().expectStatus().isOk()
                .expectBody(DocumentWrite.class).returnResult().getResponseBody();
        assertThat(appended.written().get(0).index()).isEqualTo(2);
        assertThat(appended.document().stateDigest()).matches("sha256:[0-9a-f]{64}")
                .isEqualTo(whole.document().stateDigest());

        // The memory service holds it under the request's tenant.
        memoryClient.get().uri("/v1/documents/" + id + "/head").header("X-Baton-Tenant", TENANT).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.segment").isEqualTo((int) appended.document().segment());

        List<ServerSentEvent<Map<String, Object>>> events = client.post().uri("/v1/documents/" + id + "/generate")
                .contentType(MediaType.APPLICATION_JSON).accept(MediaType.TEXT_EVENT_STREAM)
                .bodyValue(Map.of("prompt", "And then", "maxTokens", 5))
                .exchange().expectStatus().isOk()
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>>() {
                })
                .getResponseBody().collectList().block(Duration.ofMinutes(1));
        assertThat(events).extracting(ServerSentEvent::event).containsExactly("token", "token", "token", "token",
                "token", "done");

        DocumentView view = client.get().uri("/v1/documents/" + id).exchange().expectStatus().isOk()
                .expectBody(DocumentView.class).returnResult().getResponseBody();
        assertThat(view).isEqualTo(appended.document());

        client.delete().uri("/v1/documents/" + id).exchange().expectStatus().isNoContent();
        memoryClient.get().uri("/v1/documents/" + id + "/head").header("X-Baton-Tenant", TENANT).exchange()
                .expectStatus().isNotFound();
        client.get().uri("/v1/documents/" + id).exchange().expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("urn:baton:problem:document-not-found");
        client.post().uri("/v1/documents/" + id + "/generate").contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.TEXT_EVENT_STREAM).bodyValue(Map.of("prompt", "And then"))
                .exchange().expectStatus().isNotFound();
    }

    static DocumentWrite ingest(String id, String text) {
        return client.post().uri("/v1/documents").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("text", text, "id", id))
                .exchange().expectStatus().isCreated()
                .expectBody(DocumentWrite.class).returnResult().getResponseBody();
    }
}
