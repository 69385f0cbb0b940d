package io.baton.gateway.problems;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.protocol.problems.ServiceCallException;
import io.baton.protocol.problems.ProblemType;
import io.baton.protocol.problems.RequestIds;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * What a gateway client sees of each problem of the catalogue when another service answered it
 * with an internal detail (an internal URL, a file path, ONNX Runtime's own words): the
 * catalogue's status and type, the detail only where the catalogue calls it public, the public
 * text otherwise, and always the request's id, in the body and in {@code X-Request-Id}.
 */
class PublicProblemsTest {

    static final String INTERNAL = "POST http://10.1.2.3:8081/v1/segments failed: "
            + "[ONNXRuntimeError] : 2 : INVALID_ARGUMENT : /opt/baton/models/zoo/gemma2-small/model.onnx";

    @RestController
    static class Failing {
        @GetMapping("/v1/fail/{type}")
        String fail(@PathVariable String type) {
            throw new ServiceCallException(ProblemType.ofSlug(type), INTERNAL, Map.of("circuitBreaker", "open"), null);
        }

        @GetMapping("/v1/boom")
        String boom() {
            throw new IllegalStateException(INTERNAL);
        }
    }

    final WebTestClient client = WebTestClient.bindToController(new Failing())
            .controllerAdvice(new ProblemDetailsAdvice()).webFilter(new RequestIds()).build();

    @ParameterizedTest
    @EnumSource(ProblemType.class)
    void eachTypeIsAnsweredWithItsStatusAndOnlyAPublicDetail(ProblemType type) {
        EntityExchangeResult<Map<String, Object>> result = client.get().uri("/v1/fail/" + type.slug()).exchange()
                .expectStatus().isEqualTo(type.status())
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
                }).returnResult();
        Map<String, Object> problem = result.getResponseBody();
        assertThat(problem).containsEntry("type", type.uri()).containsEntry("status", type.status())
                .containsEntry("instance", "/v1/fail/" + type.slug());
        assertThat(problem.get("requestId")).isNotNull()
                .isEqualTo(result.getResponseHeaders().getFirst("X-Request-Id"));
        if (type.publicDetail()) {
            assertThat(problem).containsEntry("detail", INTERNAL);
        } else {
            assertThat(problem).containsEntry("detail", type.publicText());
            assertThat((String) problem.get("detail")).doesNotContain("http://", "/opt/", "ONNXRuntimeError", "10.1.2.3");
        }
    }

    @Test
    void anUnexpectedFailureNamesNothingButItsRequestId() {
        Map<String, Object> problem = client.get().uri("/v1/boom").header("X-Request-Id", "req-42").exchange()
                .expectStatus().isEqualTo(500).expectHeader().valueEquals("X-Request-Id", "req-42")
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
                }).returnResult().getResponseBody();
        assertThat(problem).containsEntry("type", "urn:baton:problem:internal-error").containsEntry("requestId", "req-42")
                .containsEntry("detail", ProblemType.INTERNAL_ERROR.publicText());
        assertThat(problem.toString()).doesNotContain("10.1.2.3", "ONNXRuntimeError", "IllegalStateException");
    }

    @Test
    void aMalformedRequestIdIsReplacedByAFreshOne() {
        String id = client.get().uri("/v1/boom").header("X-Request-Id", "<script>").exchange()
                .expectStatus().isEqualTo(500).returnResult(String.class).getResponseHeaders().getFirst("X-Request-Id");
        assertThat(id).isNotEqualTo("<script>").matches("[0-9a-f-]{36}");
    }
}
