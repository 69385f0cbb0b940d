package io.baton.memory.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.memory.Checkpoints;
import io.baton.memory.MemoryServer;
import io.baton.common.testing.CredentialChecks;
import io.baton.protocol.BatonHeaders;
import io.baton.protocol.access.AccessConfigurationException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The service token over real HTTP: a memory service with a token, listening on all interfaces,
 * answers every route under {@code /v1} with a 401 problem and a Bearer challenge unless the
 * request carries the token (a forged {@code X-Baton-Tenant} is no credential, another token or
 * scheme is invalid), works with it, and keeps health open. Without a credential it starts only
 * on loopback or with open access said explicitly.
 */
class ServiceCredentialsIT {

    static final String TOKEN = UUID.randomUUID().toString().replace("-", "");
    static final String TENANT = "t-" + UUID.randomUUID();

    static MemoryServer server;
    static WebTestClient client;

    /** One request of each route of the API (and two that are no route), as a client would send it. */
    static final List<Route> ROUTES = List.of(
            new Route(HttpMethod.GET, "/v1/documents/doc/head", null),
            new Route(HttpMethod.GET, "/v1/documents/doc/checkpoints/0", null),
            new Route(HttpMethod.PUT, "/v1/documents/doc/checkpoints/0", MediaType.APPLICATION_OCTET_STREAM),
            new Route(HttpMethod.POST, "/v1/documents/doc/checkpoints/0/fork", MediaType.APPLICATION_JSON),
            new Route(HttpMethod.GET, "/v1/documents", null),
            new Route(HttpMethod.DELETE, "/v1/documents/doc", null),
            new Route(HttpMethod.GET, "/v1", null),
            new Route(HttpMethod.GET, "/v1/no-such-route", null));

    record Route(HttpMethod method, String path, MediaType body) {

        WebTestClient.ResponseSpec send(WebTestClient client, UnaryOperator<WebTestClient.RequestBodySpec> headers) {
            WebTestClient.RequestBodySpec request = headers.apply(client.method(method).uri(path));
            if (body == null) {
                return request.exchange();
            }
            Object content = body.equals(MediaType.APPLICATION_JSON) ? Map.of("to", "copy")
                    : Checkpoints.checkpoint(TENANT, "doc", 0);
            return request.contentType(body).bodyValue(content).exchange();
        }
    }

    @BeforeAll
    static void start() {
        server = MemoryServer.start(Map.of("baton.store.kind", "memory", "baton.service-token", TOKEN,
                "server.address", "0.0.0.0"));
        client = WebTestClient.bindToServer().baseUrl(server.baseUrl()).responseTimeout(Duration.ofSeconds(30)).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyRouteWithoutTheTokenIsA401ProblemWithABearerChallenge() {
        for (Route route : ROUTES) {
            CredentialChecks.refusedWithoutTheToken(route.path(), headers -> route.send(client, headers), TENANT, TOKEN);
        }
        // Nothing a refused request sent was stored.
        withToken(client.get().uri("/v1/documents/doc/head").header(BatonHeaders.TENANT, TENANT)).exchange()
                .expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("urn:baton:problem:document-not-found");
    }

    @Test
    void withTheTokenEveryRouteWorks() {
        byte[] checkpoint = Checkpoints.checkpoint(TENANT, "kept", 0);
        withToken(client.put().uri("/v1/documents/kept/checkpoints/0").header(BatonHeaders.TENANT, TENANT))
                .contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(checkpoint).exchange()
                .expectStatus().isCreated();
        withToken(client.get().uri("/v1/documents/kept/head").header(BatonHeaders.TENANT, TENANT)).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.segment").isEqualTo(0);
        withToken(client.get().uri("/v1/documents/kept/checkpoints/0").header(BatonHeaders.TENANT, TENANT)).exchange()
                .expectStatus().isOk()
                .expectBody(byte[].class).isEqualTo(checkpoint);
        withToken(client.post().uri("/v1/documents/kept/checkpoints/0/fork").header(BatonHeaders.TENANT, TENANT))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("to", "copy")).exchange()
                .expectStatus().isCreated();
        withToken(client.get().uri("/v1/documents").header(BatonHeaders.TENANT, TENANT)).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.documents.length()").isEqualTo(2);
        withToken(client.delete().uri("/v1/documents/copy").header(BatonHeaders.TENANT, TENANT)).exchange()
                .expectStatus().isNoContent();
        // A route that does not exist is a 404 for a caller with the token.
        withToken(client.get().uri("/v1/no-such-route")).exchange().expectStatus().isNotFound();
    }

    @Test
    void anApiPathWrittenAnotherWayStillNeedsTheToken() {
        // The router matches /v1;x=1/documents and /%76%31/documents as /v1/documents: so does the filter.
        for (String path : new String[] {"/v1;x=1/documents", "/%76%31/documents"}) {
            client.get().uri(java.net.URI.create(server.baseUrl() + path)).header(BatonHeaders.TENANT, TENANT).exchange()
                    .expectStatus().isUnauthorized()
                    .expectBody().jsonPath("$.type").isEqualTo("urn:baton:problem:missing-credentials");
        }
    }

    @Test
    void healthIsOpenForProbes() {
        client.get().uri("/actuator/health").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
    }

    @Test
    void withoutACredentialOnlyLoopbackStartsUnlessOpenAccessIsExplicit() {
        assertThatThrownBy(() -> MemoryServer.start(Map.of("baton.store.kind", "memory", "server.address", "0.0.0.0")).close())
                .rootCause().isInstanceOfSatisfying(AccessConfigurationException.class, e -> {
                    assertThat(e.getMessage()).contains("memory service would listen on 0.0.0.0 without a credential");
                    assertThat(e.action()).contains("BATON_SERVICE_TOKEN", "BATON_ACCESS_OPEN=true");
                });
        assertThatThrownBy(() -> MemoryServer.start(Map.of("baton.store.kind", "memory", "server.address", "0.0.0.0",
                "baton.service-token", TOKEN, "baton.access.open", "true")).close())
                .rootCause().isInstanceOf(AccessConfigurationException.class)
                .hasMessageContaining("both configured").hasMessageNotContaining(TOKEN);
        for (Map<String, String> open : List.of(Map.of("baton.store.kind", "memory"),
                Map.of("baton.store.kind", "memory", "server.address", "0.0.0.0", "baton.access.open", "true"))) {
            try (MemoryServer server = MemoryServer.start(open)) {
                WebTestClient.bindToServer().baseUrl(server.baseUrl()).build()
                        .get().uri("/v1/documents").header(BatonHeaders.TENANT, TENANT).exchange()
                        .expectStatus().isOk();
            }
        }
    }

    static <S extends WebTestClient.RequestHeadersSpec<?>> S withToken(S request) {
        request.header(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN);
        return request;
    }
}
