package io.baton.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.common.testing.SpringServer;
import io.baton.gateway.GatewayServiceApplication;
import io.baton.gateway.access.ApiKeyFilter;
import io.baton.memory.store.CheckpointStore;
import io.baton.memory.store.DocumentKey;
import io.baton.memory.store.Head;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * API keys over real HTTP, in a standalone server with two tenants' keys: a key's requests run as
 * its tenant (its document's checkpoints are stored under that tenant), a missing or unknown key
 * is a 401 problem with a challenge, and the page, the OpenAPI description and health stay open.
 * Also: without keys, a gateway that is not standalone on loopback refuses to start.
 */
class ApiKeysIT {

    static final String ACME_KEY = "acme-0123456789abcdef";
    static final String ACME_NEXT_KEY = "acme-next-0123456789ab";
    static final String BETA_KEY = "beta-0123456789abcdef";
    static final String TEXT = Standalone.mobyDick(300_000, 1_500);

    static SpringServer server;
    static WebTestClient client;

    @BeforeAll
    static void start() {
        server = SpringServer.start(BatonStandalone.class, Map.of(
                "baton.mode", "standalone",
                "baton.store.kind", "memory",
                "server.address", "127.0.0.1",
                "baton.models.default-model", Standalone.FIXTURE_MODEL,
                "baton.access.api-keys.acme", ACME_KEY + "," + ACME_NEXT_KEY,
                "baton.access.api-keys.beta", BETA_KEY));
        client = WebTestClient.bindToServer().baseUrl(server.baseUrl()).responseTimeout(Duration.ofMinutes(2)).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aValidKeyRunsTheRequestAsItsTenant() {
        String document = ingestedDocument(ACME_KEY);
        CheckpointStore store = server.bean(CheckpointStore.class);
        Head head = store.head(new DocumentKey("acme", document)).block(Duration.ofSeconds(10));
        assertThat(head).isNotNull();
        assertThat(head.tokens()).isEqualTo(TEXT.length());   // ASCII: one byte-level token per character
        assertThat(store.head(new DocumentKey("beta", document)).block(Duration.ofSeconds(10))).isNull();
        assertThat(store.head(new DocumentKey("local", document)).block(Duration.ofSeconds(10))).isNull();

        // A tenant's second key (rotation) is the same tenant; another tenant's key is its own.
        String second = ingestedDocument(ACME_NEXT_KEY);
        assertThat(store.head(new DocumentKey("acme", second)).block(Duration.ofSeconds(10))).isNotNull();
        String beta = ingestedDocument(BETA_KEY);
        assertThat(store.head(new DocumentKey("beta", beta)).block(Duration.ofSeconds(10))).isNotNull();
        assertThat(store.head(new DocumentKey("acme", beta)).block(Duration.ofSeconds(10))).isNull();
    }

    @Test
    void aMissingKeyIsA401ProblemWithAChallenge() {
        unauthorized(null, "missing-api-key");
        unauthorized("", "missing-api-key");
    }

    @Test
    void anUnknownKeyIsA401Problem() {
        unauthorized("not-a-configured-key-123", "invalid-api-key");
        unauthorized(ACME_KEY.toUpperCase(), "invalid-api-key");
    }

    @Test
    void everyRouteUnderV1NeedsAKeyEvenOneThatDoesNotExist() {
        client.get().uri("/v1/no-such-route").exchange()
                .expectStatus().isUnauthorized()
                .expectBody().jsonPath("$.type").isEqualTo("urn:baton:problem:missing-api-key");
        client.get().uri("/v1/no-such-route").header(ApiKeyFilter.HEADER, ACME_KEY).exchange()
                .expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("urn:baton:problem:not-found");
    }

    @Test
    void anApiPathWrittenAnotherWayStillNeedsAKey() {
        // The router matches /v1;x=1/summaries and /%76%31/summaries as /v1/summaries: so does the filter.
        for (String path : new String[] {"/v1;x=1/summaries", "/%76%31/summaries", "//v1/summaries"}) {
            client.post().uri(java.net.URI.create(server.baseUrl() + path)).contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("text", "Call me Ishmael.")).exchange()
                    .expectStatus().isUnauthorized()
                    .expectBody().jsonPath("$.type").isEqualTo("urn:baton:problem:missing-api-key");
        }
    }

    @Test
    void thePageTheApiDescriptionAndHealthAreOpen() {
        client.get().uri("/").exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_HTML)
                .expectBody(String.class).value(html -> assertThat(html).contains("<title>Baton"));
        client.get().uri("/baton.js").exchange().expectStatus().isOk();
        client.get().uri("/v3/api-docs").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.paths['/v1/summaries']").exists();
        client.get().uri("/actuator/health").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
    }

    @Test
    void withoutKeysOnlyStandaloneOnLoopbackStartsUnlessOpenAccessIsExplicit() {
        assertThatThrownBy(() -> SpringServer.start(GatewayServiceApplication.class, Map.of()).close())
                .rootCause().isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("distributed mode").hasMessageContaining("baton.access.open=true");
        try (SpringServer open = SpringServer.start(GatewayServiceApplication.class,
                Map.of("baton.access.open", "true"))) {
            // Open: no key needed; the request reaches the summary code (and its checks).
            WebTestClient.bindToServer().baseUrl(open.baseUrl()).build()
                    .post().uri("/v1/summaries").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("text", " ")).exchange()
                    .expectStatus().isBadRequest()
                    .expectBody().jsonPath("$.type").isEqualTo("urn:baton:problem:empty-text");
        }
    }

    /** Summarizes {@link #TEXT} with {@code key}, streaming, and gives the document id the progress named. */
    /** Ingests {@link #TEXT} as a new document with {@code key}; returns the document's id. */
    private static String ingestedDocument(String key) {
        Map<String, Object> written = client.post().uri("/v1/documents")
                .header(ApiKeyFilter.HEADER, key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("text", TEXT))
                .exchange()
                .expectStatus().isCreated()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
                })
                .returnResult().getResponseBody();
        assertThat(written).isNotNull();
        return (String) ((Map<?, ?>) written.get("document")).get("id");
    }

    private static void unauthorized(String key, String type) {
        WebTestClient.RequestBodySpec request = client.post().uri("/v1/summaries").contentType(MediaType.APPLICATION_JSON);
        if (key != null) {
            request.header(ApiKeyFilter.HEADER, key);
        }
        request.bodyValue(Map.of("text", TEXT)).exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "ApiKey header=\"X-API-Key\"")
                .expectBody()
                .jsonPath("$.type").isEqualTo("urn:baton:problem:" + type)
                .jsonPath("$.status").isEqualTo(401)
                .jsonPath("$.instance").isEqualTo("/v1/summaries")
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).doesNotContain(ACME_KEY));
    }
}
