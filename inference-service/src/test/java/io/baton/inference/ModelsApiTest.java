package io.baton.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.inference.models.InvalidSegmentException;
import io.baton.inference.models.ModelRegistry;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The service on a random port: {@code GET /v1/models} lists the zoo and a hub export with their
 * state plans, and every error, the service's own and the framework's, is a problem detail.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {"BATON_DEFAULT_MODEL=jamba-tiny", "baton.models.gpu-default=gemma2-small",
                "server.address=127.0.0.1"})
@AutoConfigureWebTestClient
class ModelsApiTest {

    static Path models;

    @Autowired
    WebTestClient client;

    @Autowired
    ModelRegistry registry;

    /** The zoo, the hub-style fixture and onnxruntime-ffm's float16 jamba-tiny, linked into one models folder. */
    @DynamicPropertySource
    static void modelsFolder(DynamicPropertyRegistry properties) throws IOException {
        models = Files.createTempDirectory("baton-models");
        Path zoo = Path.of(System.getProperty("baton.zoo.dir", "../models/zoo")).toAbsolutePath();
        try (Stream<Path> folders = Files.list(zoo)) {
            for (Path folder : folders.toList()) {
                Files.createSymbolicLink(models.resolve(folder.getFileName()), folder);
            }
        }
        Files.createSymbolicLink(models.resolve("hub-style"), Path.of("src/test/resources/hub-style").toAbsolutePath());
        Files.createSymbolicLink(models.resolve("jamba-tiny-fp16"),
                Path.of("../onnxruntime-ffm/src/test/resources/jamba-tiny-fp16").toAbsolutePath());
        properties.add("baton.models.dir", models::toString);
    }

    @AfterAll
    static void removeLinks() throws IOException {
        try (Stream<Path> links = Files.list(models)) {
            for (Path link : links.toList()) {
                Files.delete(link);
            }
        }
        Files.delete(models);
    }

    @Test
    void listsEveryModelWithItsStatePlan() {
        client.get().uri("/v1/models").exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody()
                .jsonPath("$.defaultModel").isEqualTo("jamba-tiny")
                .jsonPath("$.cpuDefault").isEqualTo("jamba-medium")
                .jsonPath("$.gpuDefault").isEqualTo("gemma2-small")
                .jsonPath("$.models.length()").isEqualTo(13)
                .jsonPath("$.models[?(@.id == 'gemma2-small')].vocabSize").isEqualTo(4096)
                .jsonPath("$.models[?(@.id == 'jamba-medium')].vocabSize").isEqualTo(8192)
                .jsonPath("$.models[?(@.id == 'gemma2-tiny')].family").isEqualTo("gemma2")
                .jsonPath("$.models[?(@.id == 'gemma2-tiny')].digest").isEqualTo(registry.get("gemma2-tiny").digest())
                .jsonPath("$.models[?(@.id == 'gemma2-tiny')].vocabSize").isEqualTo(256)
                .jsonPath("$.models[?(@.id == 'gemma2-tiny')].maskPast").isEqualTo(48)
                .jsonPath("$.models[?(@.id == 'gemma2-tiny')].stateBytes").isEqualTo(32768)
                .jsonPath("$.models[?(@.id == 'jamba-tiny')].precision").isEqualTo("fp32")
                .jsonPath("$.models[?(@.id == 'jamba-tiny-fp16')].precision").isEqualTo("fp16");
        client.get().uri("/v1/models/gemma2-tiny").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.pastGrows").isEqualTo(false)
                .jsonPath("$.ragged").isEqualTo(registry.get("gemma2-tiny").plan().ragged())
                .jsonPath("$.hiddenState").isEqualTo(true)
                .jsonPath("$.state[0].input").isEqualTo("past_key_values.0.key")
                .jsonPath("$.state[0].output").isEqualTo("present.0.key")
                .jsonPath("$.state[0].layer").isEqualTo(0)
                .jsonPath("$.state[0].kind").isEqualTo("key")
                .jsonPath("$.state[0].shape").isEqualTo(java.util.List.of("batch", 2, 16, 16))
                .jsonPath("$.state[0].retention.policy").isEqualTo("window")
                .jsonPath("$.state[0].retention.window").isEqualTo(16)
                .jsonPath("$.state[0].retention.pinned").isEqualTo(0)
                .jsonPath("$.state[0].retention.axis").isEqualTo(2)
                .jsonPath("$.state[0].maxBytes").isEqualTo(2 * 16 * 16 * 4);
        client.get().uri("/v1/models/jamba-tiny").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.state[?(@.input == 'past_conv.0')].retention.policy").isEqualTo("replace")
                .jsonPath("$.state[?(@.input == 'past_conv.0')].retention.window").doesNotExist();
    }

    @Test
    void listsAHubExportWithItsDerivedPlan() {
        client.get().uri("/v1/models/hub-style").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.family").isEqualTo("hub_style_tiny")
                .jsonPath("$.maskPast").isEmpty()
                .jsonPath("$.pastGrows").isEqualTo(true)
                .jsonPath("$.ragged").isEqualTo(false)
                .jsonPath("$.precision").isEqualTo("fp32")
                .jsonPath("$.hiddenState").isEqualTo(false)
                .jsonPath("$.state[0].shape").isEqualTo(java.util.List.of("batch", 1, "past", 8))
                .jsonPath("$.state[0].retention.window").isEqualTo(16)
                .jsonPath("$.state[0].retention.grows").isEqualTo(true)
                .jsonPath("$.state[3].retention.window").isEqualTo(4096)
                .jsonPath("$.stateBytes").isEqualTo((2 * 16 * 8 + 16 * 2 + 2 * 4096 * 8) * 4);
    }

    @Test
    void anUnknownModelIsAProblem() {
        problem(client.get().uri("/v1/models/gpt-5").exchange(), 404, "unknown-model")
                .jsonPath("$.title").isEqualTo("Unknown model")
                .jsonPath("$.detail").value(String.class, d -> assertThat(d).contains("'gpt-5'").contains("jamba-tiny"))
                .jsonPath("$.instance").isEqualTo("/v1/models/gpt-5");
    }

    @Test
    void frameworkErrorsAreProblems() {
        problem(client.get().uri("/v1/no-such-route").exchange(), 404, "not-found")
                .jsonPath("$.detail").isEqualTo("no route GET /v1/no-such-route");
        problem(client.delete().uri("/v1/models").exchange(), 405, "method-not-allowed");
        problem(client.post().uri("/test/probe").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"name\": \"x\", ").exchange(), 400, "malformed-request");
        problem(client.post().uri("/test/probe").contentType(MediaType.TEXT_PLAIN)
                .bodyValue("name=x").exchange(), 415, "unsupported-media-type");
        problem(client.post().uri("/test/probe").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"name\": \"\", \"count\": 0}").exchange(), 400, "invalid-request")
                .jsonPath("$.errors[?(@.field == 'name')]").exists()
                .jsonPath("$.errors[?(@.field == 'count')]").exists();
    }

    @Test
    void theServicesOwnFailuresCarryTheirTypeAndUnexpectedOnesHideTheirMessage() {
        problem(client.get().uri("/test/empty-segment").exchange(), 400, "empty-segment")
                .jsonPath("$.detail").isEqualTo("a segment needs at least one token");
        problem(client.get().uri("/test/boom").exchange(), 500, "internal-error")
                .jsonPath("$.detail").value(String.class, d -> assertThat(d).doesNotContain("secret"));
    }

    static WebTestClient.BodyContentSpec problem(WebTestClient.ResponseSpec response, int status, String type) {
        return response.expectStatus().isEqualTo(status)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("urn:baton:problem:" + type)
                .jsonPath("$.status").isEqualTo(status);
    }

    /** A request body with validation, and handlers that fail, for the problem-detail tests. */
    @TestConfiguration(proxyBeanMethods = false)
    static class Probes {

        record Probe(@NotBlank String name, @Min(1) int count) {
        }

        @RestController
        static class ProbeController {

            @PostMapping("/test/probe")
            Probe probe(@Valid @RequestBody Probe probe) {
                return probe;
            }

            @GetMapping("/test/empty-segment")
            String emptySegment() {
                throw new InvalidSegmentException(InvalidSegmentException.Reason.EMPTY_SEGMENT,
                        "a segment needs at least one token");
            }

            @GetMapping("/test/boom")
            String boom() {
                throw new IllegalStateException("secret detail");
            }
        }
    }
}
