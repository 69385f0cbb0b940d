package io.baton.memory.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.memory.Checkpoints;
import io.baton.memory.store.CheckpointStore;
import io.baton.memory.store.DocumentKey;
import io.baton.memory.store.Head;
import io.baton.protocol.problems.ProblemType;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** What the API tests share: the client, the store behind it, a fresh tenant per test. */
abstract class ApiTestSupport {

    @Autowired
    protected WebTestClient client;

    @Autowired
    protected CheckpointStore store;

    protected final String tenant = "t-" + UUID.randomUUID();

    protected static String checkpointUri(String document, Object segment) {
        return "/v1/documents/" + document + "/checkpoints/" + segment;
    }

    /** PUT of {@code body} as checkpoint {@code segment} of {@code document} for {@link #tenant}. */
    protected WebTestClient.ResponseSpec put(String document, Object segment, byte[] body) {
        return client.put().uri(checkpointUri(document, segment))
                .header(RequestIds.TENANT_HEADER, tenant)
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .bodyValue(body)
                .exchange();
    }

    /** Writes checkpoints 0..last of {@code document}, each answered 201; returns the last one's bytes. */
    protected byte[] writeUpTo(String document, long last) {
        byte[] bytes = null;
        for (long n = 0; n <= last; n++) {
            bytes = Checkpoints.checkpoint(tenant, document, n);
            put(document, n, bytes).expectStatus().isCreated();
        }
        return bytes;
    }

    /** A checkpoint whose metadata is the valid one changed by {@code change}. */
    protected byte[] withMetadata(String document, long segment, Consumer<Map<String, String>> change) {
        Map<String, String> metadata = Checkpoints.metadata(tenant, document, segment);
        change.accept(metadata);
        return Checkpoints.bytes(Checkpoints.container(metadata, segment, 16));
    }

    /** The store's head of this tenant's {@code document}, or null. */
    protected Head storedHead(String document) {
        return store.head(new DocumentKey(tenant, document)).block();
    }

    /** Asserts a problem response of {@code status} and {@code type}; returns it for more checks. */
    protected static WebTestClient.BodyContentSpec assertProblem(WebTestClient.ResponseSpec response,
            HttpStatus status, String type) {
        WebTestClient.BodyContentSpec body = response.expectStatus().isEqualTo(status)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo(ProblemType.TYPE_PREFIX + type)
                .jsonPath("$.status").isEqualTo(status.value())
                .jsonPath("$.title").isNotEmpty()
                .jsonPath("$.detail").isNotEmpty()
                .jsonPath("$.instance").isNotEmpty()
                .jsonPath("$.trace").doesNotExist()
                .jsonPath("$.stackTrace").doesNotExist();
        body.consumeWith(result -> assertThat(new String(result.getResponseBodyContent()))
                .doesNotContain("\tat ").doesNotContain("Exception:"));
        return body;
    }
}
