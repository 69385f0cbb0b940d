package io.baton.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The gateway serves its OpenAPI description at {@code /v3/api-docs}: the summaries operation with
 * its request schema, both answers (JSON and the event stream), its error responses as problem
 * details, and the API key scheme.
 */
class ApiDocsIT {

    static WebTestClient client;

    @BeforeAll
    static void start() {
        client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + Standalone.port())
                .responseTimeout(Duration.ofMinutes(1)).build();
    }

    @Test
    void describesTheSummariesOperationAndItsRequestSchema() {
        client.get().uri("/v3/api-docs").exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody()
                .jsonPath("$.openapi").value(version -> assertThat((String) version).startsWith("3."))
                .jsonPath("$.info.title").isEqualTo("Baton gateway API")
                .jsonPath("$.paths['/v1/summaries'].post.operationId").isEqualTo("summarize")
                .jsonPath("$.paths['/v1/summaries'].post.requestBody.required").isEqualTo(true)
                .jsonPath("$.paths['/v1/summaries'].post.requestBody.content['application/json'].schema['$ref']")
                .isEqualTo("#/components/schemas/SummaryRequest")
                .jsonPath("$.paths['/v1/summaries'].post.responses['200'].content['application/json'].schema['$ref']")
                .isEqualTo("#/components/schemas/SummaryResponse")
                .jsonPath("$.paths['/v1/summaries'].post.responses['200'].content['text/event-stream']").exists()
                .jsonPath("$.paths['/v1/summaries'].post.responses['400'].description").value(description ->
                        assertThat((String) description).contains("empty-text"))
                .jsonPath("$.paths['/v1/summaries'].post.responses['404'].description").isEqualTo("unknown-model")
                .jsonPath("$.components.schemas.SummaryRequest.required").value(required ->
                        assertThat(required.toString()).contains("text"))
                .jsonPath("$.components.schemas.SummaryRequest.properties.text.type").isEqualTo("string")
                .jsonPath("$.components.schemas.SummaryRequest.properties.sentences.type").isEqualTo("integer")
                .jsonPath("$.components.schemas.SummaryRequest.properties.words.type").isEqualTo("integer")
                .jsonPath("$.components.schemas.SummaryRequest.properties.model.type").isEqualTo("string")
                .jsonPath("$.components.schemas.SummaryRequest.properties.mode.enum").value(modes ->
                        assertThat(modes.toString()).contains("extractive", "abstractive"))
                .jsonPath("$.components.schemas.SummaryResponse.properties.sentences.type").isEqualTo("array")
                .jsonPath("$.components.schemas.SegmentProgress.properties.segments").exists()
                .jsonPath("$.components.securitySchemes.apiKey.type").isEqualTo("apiKey")
                .jsonPath("$.components.securitySchemes.apiKey.in").isEqualTo("header")
                .jsonPath("$.components.securitySchemes.apiKey.name").isEqualTo("X-API-Key")
                .jsonPath("$.security[0].apiKey").exists();
    }

    @Test
    void everyErrorResponseIsAProblemDetail() {
        WebTestClient.BodyContentSpec body = client.get().uri("/v3/api-docs").exchange()
                .expectStatus().isOk()
                .expectBody();
        for (String code : new String[] {"400", "401", "404", "413", "422", "500", "503"}) {
            body.jsonPath("$.paths['/v1/summaries'].post.responses['" + code
                    + "'].content['application/problem+json'].schema['$ref']").isEqualTo("#/components/schemas/Problem");
        }
        body.jsonPath("$.paths['/v1/summaries'].post.responses['401'].description").value(description ->
                        assertThat((String) description).contains("missing-api-key", "invalid-api-key"))
                .jsonPath("$.components.schemas.Problem.properties.type.format").isEqualTo("uri")
                .jsonPath("$.components.schemas.Problem.properties.status.type").isEqualTo("integer")
                .jsonPath("$.components.schemas.Problem.properties.detail.type").isEqualTo("string")
                .jsonPath("$.paths['/v1/summaries'].post.responses['200'].content['application/problem+json']")
                .doesNotExist();
    }

    @Test
    void onlyTheApiIsDescribed() {
        client.get().uri("/v3/api-docs").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.paths['/actuator/health']").doesNotExist()
                .jsonPath("$.paths").value(paths -> assertThat(paths.toString()).doesNotContain("/v3/api-docs"));
    }
}
