package io.baton.inference.segments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.common.testing.CredentialChecks;
import io.baton.common.testing.TestServers;
import io.baton.inference.testing.InferenceServer;
import io.baton.inference.testing.MemoryServiceProcess;
import io.baton.protocol.BatonHeaders;
import io.baton.protocol.access.AccessConfigurationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The service token over real HTTP, for the inference service and its calls to the memory service
 * (a JVM of its own on Redis, requiring the same token): an inference service with the token,
 * listening on all interfaces, answers every route under {@code /v1} with a 401 problem and a
 * Bearer challenge unless the request carries the token (a forged {@code X-Baton-Tenant} is no
 * credential), works with it (the segment is stored in memory, which saw the token), and keeps
 * health open. A service whose token the memory service does not share gets {@code
 * memory-rejected}, not a 401 its caller would take for its own. Without a credential it starts
 * only on loopback or with open access said explicitly.
 */
class ServiceCredentialsIT {

    static final String TOKEN = UUID.randomUUID().toString().replace("-", "");
    static final String MODEL = "gemma2-tiny";
    static final String TENANT = "it-" + UUID.randomUUID().toString().substring(0, 8);
    static final ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>> EVENT = new ParameterizedTypeReference<>() {
    };

    static Path models;
    static MemoryServiceProcess memory;
    static InferenceServer inference;
    static WebTestClient client;

    /** One request of each route of the API (and two that are no route). */
    static final List<Route> ROUTES = List.of(
            new Route(HttpMethod.POST, "/v1/segments", segment("denied", 0)),
            new Route(HttpMethod.POST, "/v1/generate", Map.of("document", "denied", "segment", 0, "model", MODEL,
                    "prompt", new long[] {65}, "maxTokens", 2)),
            new Route(HttpMethod.GET, "/v1/models", null),
            new Route(HttpMethod.GET, "/v1/models/" + MODEL, null),
            new Route(HttpMethod.GET, "/v1", null),
            new Route(HttpMethod.GET, "/v1/no-such-route", null));

    record Route(HttpMethod method, String path, Map<String, Object> body) {

        WebTestClient.ResponseSpec send(UnaryOperator<WebTestClient.RequestBodySpec> headers) {
            WebTestClient.RequestBodySpec request = headers.apply(client.method(method).uri(path));
            return body == null ? request.exchange()
                    : request.contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
        }
    }

    @BeforeAll
    static void start() {
        models = linkModel(MODEL);
        memory = MemoryServiceProcess.start(MemoryServiceProcess.freePort(), TestServers.redisUrl(), TOKEN);
        inference = InferenceServer.start(settings(Map.of("baton.service-token", TOKEN, "server.address", "0.0.0.0")));
        client = WebTestClient.bindToServer().baseUrl(inference.baseUrl()).responseTimeout(Duration.ofMinutes(2)).build();
    }

    @AfterAll
    static void stop() throws IOException {
        for (AutoCloseable closeable : new AutoCloseable[] {inference, memory}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                System.err.println("closing " + closeable + ": " + e);
            }
        }
        if (models != null) {
            Files.deleteIfExists(models.resolve(MODEL));
            Files.deleteIfExists(models);
        }
    }

    @Test
    void everyRouteWithoutTheTokenIsA401ProblemWithABearerChallenge() {
        for (Route route : ROUTES) {
            CredentialChecks.refusedWithoutTheToken(route.path(), route::send, TENANT, TOKEN);
        }
        // The refused segment was never run nor stored.
        assertThat(memory().get().uri("/v1/documents/denied/head").header(BatonHeaders.TENANT, TENANT).exchange()
                .returnResult(Void.class).getStatus().value()).isEqualTo(404);
    }

    @Test
    void withTheTokenEveryRouteWorksAndTheMemoryServiceGetsItToo() {
        withToken(client.get().uri("/v1/models")).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.models[0].id").isEqualTo(MODEL);
        withToken(client.get().uri("/v1/models/" + MODEL)).exchange().expectStatus().isOk();
        withToken(client.post().uri("/v1/segments").header(BatonHeaders.TENANT, TENANT))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(segment("granted", 0)).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.segment").isEqualTo(0);
        memory().get().uri("/v1/documents/granted/head").header(BatonHeaders.TENANT, TENANT).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.segment").isEqualTo(0);
        List<ServerSentEvent<Map<String, Object>>> events = withToken(client.post().uri("/v1/generate")
                .header(BatonHeaders.TENANT, TENANT))
                .contentType(MediaType.APPLICATION_JSON).accept(MediaType.TEXT_EVENT_STREAM)
                .bodyValue(Map.of("document", "granted", "segment", 0, "model", MODEL, "prompt", new long[] {65},
                        "maxTokens", 2))
                .exchange()
                .expectStatus().isOk()
                .returnResult(EVENT).getResponseBody().collectList().block(Duration.ofMinutes(1));
        assertThat(events).extracting(ServerSentEvent::event).containsExactly("token", "token", "done");
    }

    @Test
    void healthIsOpenForProbes() {
        client.get().uri("/actuator/health").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
    }

    @Test
    void aServiceWhoseTokenTheMemoryServiceDoesNotShareGetsMemoryRejected() {
        String other = UUID.randomUUID().toString().replace("-", "");
        try (InferenceServer stranger = InferenceServer.start(settings(Map.of("baton.service-token", other)))) {
            WebTestClient.bindToServer().baseUrl(stranger.baseUrl()).responseTimeout(Duration.ofMinutes(2)).build()
                    .post().uri("/v1/segments").header(BatonHeaders.TENANT, TENANT)
                    .header(HttpHeaders.AUTHORIZATION, "Bearer " + other)
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(segment("stranger", 0)).exchange()
                    .expectStatus().isEqualTo(502)
                    .expectBody()
                    .jsonPath("$.type").isEqualTo("urn:baton:problem:memory-rejected")
                    .jsonPath("$.detail").value(detail -> assertThat((String) detail)
                            .contains("invalid-credentials", "baton.service-token").doesNotContain(other, TOKEN));
        }
    }

    @Test
    void withoutACredentialOnlyLoopbackStartsUnlessOpenAccessIsExplicit() {
        assertThatThrownBy(() -> InferenceServer.start(settings(Map.of("server.address", "0.0.0.0"))).close())
                .rootCause().isInstanceOfSatisfying(AccessConfigurationException.class, e -> {
                    assertThat(e.getMessage()).contains("inference service would listen on 0.0.0.0 without a credential");
                    assertThat(e.action()).contains("BATON_SERVICE_TOKEN", "BATON_ACCESS_OPEN=true");
                });
        try (InferenceServer open = InferenceServer.start(settings(Map.of("server.address", "0.0.0.0",
                "baton.access.open", "true")))) {
            WebTestClient.bindToServer().baseUrl(open.baseUrl()).build()
                    .get().uri("/v1/models").exchange()
                    .expectStatus().isOk();
        }
    }

    static <S extends WebTestClient.RequestHeadersSpec<?>> S withToken(S request) {
        request.header(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN);
        return request;
    }

    /** The memory service itself, with the token. */
    static WebTestClient memory() {
        return WebTestClient.bindToServer().baseUrl(memory.baseUrl())
                .defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN).build();
    }

    /** An instance's settings: one model, this test's memory service, and {@code more}. */
    static Map<String, String> settings(Map<String, String> more) {
        Map<String, String> all = new HashMap<>(Map.of("baton.memory.url", memory.baseUrl(),
                "baton.models.dir", models.toString(), "baton.models.default-model", MODEL));
        all.putAll(more);
        return all;
    }

    static Map<String, Object> segment(String document, long n) {
        return Map.of("document", document, "segment", n, "model", MODEL, "tokens", new long[] {72, 105, 33});
    }

    /** A models folder with one link into the zoo: an instance starts sooner with one model. */
    static Path linkModel(String id) {
        Path zoo = Path.of(System.getProperty("baton.zoo.dir", "../models/zoo")).toAbsolutePath().normalize();
        try {
            Path folder = Files.createTempDirectory("baton-models-");
            Files.createSymbolicLink(folder.resolve(id), zoo.resolve(id));
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
