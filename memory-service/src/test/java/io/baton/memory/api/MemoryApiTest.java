package io.baton.memory.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.common.state.StateCodec;
import io.baton.common.state.StateContainer;
import io.baton.memory.Checkpoints;
import io.baton.memory.store.CheckpointRecord;
import io.baton.memory.store.DocumentKey;
import io.baton.memory.store.Head;
import io.baton.protocol.BatonHeaders;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;

/**
 * Every route of the memory API and every bad input, over HTTP, against the in-memory store:
 * status, problem type, and that a refused request changed nothing in the store.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "baton.store.kind=memory",
        "baton.limits.max-checkpoint-bytes=" + MemoryApiTest.LIMIT,
        "baton.limits.tenant-quota-bytes=" + MemoryApiTest.QUOTA})
@AutoConfigureWebTestClient
class MemoryApiTest extends ApiTestSupport {

    static final int LIMIT = 256 * 1024;
    static final int QUOTA = 400 * 1024;

    // ---- the routes ----

    @Test
    void putThenReadTheHeadAndTheCheckpoint() {
        byte[] bytes = Checkpoints.checkpoint(tenant, "doc", 0);

        put("doc", 0, bytes).expectStatus().isCreated()
                .expectHeader().valueEquals(HttpHeaders.LOCATION, checkpointUri("doc", 0))
                .expectHeader().valueEquals("X-Baton-Segment", "0")
                .expectHeader().valueEquals("X-Baton-Tokens", "64")
                .expectHeader().valueEquals("X-Baton-Model", Checkpoints.MODEL)
                .expectHeader().valueEquals("X-Baton-Model-Digest", Checkpoints.DIGEST)
                .expectHeader().valueEquals("X-Baton-Version", "1")
                .expectBody()
                .jsonPath("$.document").isEqualTo("doc")
                .jsonPath("$.segment").isEqualTo(0)
                .jsonPath("$.tokens").isEqualTo(64)
                .jsonPath("$.model").isEqualTo(Checkpoints.MODEL)
                .jsonPath("$.modelDigest").isEqualTo(Checkpoints.DIGEST)
                .jsonPath("$.bytes").isEqualTo(bytes.length)
                .jsonPath("$.storedBytes").isEqualTo(bytes.length)
                .jsonPath("$.version").isEqualTo(1)
                .jsonPath("$.oldest").isEqualTo(0);

        client.get().uri("/v1/documents/doc/head").header(RequestIds.TENANT_HEADER, tenant).exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals("X-Baton-Segment", "0")
                .expectHeader().valueEquals("X-Baton-Version", "1")
                .expectBody(HeadResponse.class)
                .isEqualTo(new HeadResponse("doc", 0, 64, Checkpoints.MODEL, Checkpoints.DIGEST, bytes.length,
                        bytes.length, 1, 0));

        byte[] read = client.get().uri(checkpointUri("doc", 0)).header(RequestIds.TENANT_HEADER, tenant).exchange()
                .expectStatus().isOk()
                .expectHeader().contentType(MediaType.APPLICATION_OCTET_STREAM)
                .expectHeader().valueEquals(HttpHeaders.ETAG, Etags.of(bytes))
                .expectHeader().valueEquals("X-Baton-Segment", "0")
                .expectHeader().valueEquals("X-Baton-Tokens", "64")
                .expectHeader().valueEquals("X-Baton-Model", Checkpoints.MODEL)
                .expectHeader().valueEquals("X-Baton-Model-Digest", Checkpoints.DIGEST)
                .expectHeader().valueEquals("X-Baton-Version", "1")
                .expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(read).isEqualTo(bytes);
    }

    @Test
    void anOlderCheckpointEchoesItsOwnSegmentAndTokens() {
        writeUpTo("doc", 2);
        client.get().uri(checkpointUri("doc", 1)).header(RequestIds.TENANT_HEADER, tenant).exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals("X-Baton-Segment", "1")
                .expectHeader().valueEquals("X-Baton-Tokens", "128")
                .expectHeader().valueEquals("X-Baton-Version", "3");
    }

    @Test
    void aMatchingEtagIsNotModified() {
        byte[] bytes = writeUpTo("doc", 0);
        client.get().uri(checkpointUri("doc", 0)).header(RequestIds.TENANT_HEADER, tenant)
                .header(HttpHeaders.IF_NONE_MATCH, Etags.of(bytes)).exchange()
                .expectStatus().isNotModified()
                .expectHeader().valueEquals(HttpHeaders.ETAG, Etags.of(bytes))
                .expectBody().isEmpty();
    }

    @Test
    void anIdenticalRepeatIsAnIdempotentSuccess() {
        byte[] bytes = writeUpTo("doc", 1);
        put("doc", 1, bytes).expectStatus().isOk()
                .expectHeader().doesNotExist(HttpHeaders.LOCATION)
                .expectBody().jsonPath("$.segment").isEqualTo(1).jsonPath("$.version").isEqualTo(2);
        assertThat(storedHead("doc").version()).isEqualTo(2);
    }

    @Test
    void aPutAnswersWithTheStoredDigestAndANamedParentIsChecked() {
        byte[] zero = Checkpoints.checkpoint(tenant, "doc", 0);
        put("doc", 0, zero).expectStatus().isCreated()
                .expectHeader().valueEquals(BatonHeaders.CHECKPOINT_DIGEST, CheckpointRecord.digest(zero))
                .expectHeader().valueEquals(BatonHeaders.EXACT, "true");
        Head before = storedHead("doc");
        byte[] one = Checkpoints.checkpoint(tenant, "doc", 1);

        assertProblem(putAfter("doc", 1, one, CheckpointRecord.digest(new byte[] {1, 2, 3})),
                HttpStatus.PRECONDITION_FAILED, "parent-mismatch");
        assertProblem(putAfter("doc", 1, one, "not-a-digest"), HttpStatus.BAD_REQUEST, "invalid-parameter");
        assertThat(storedHead("doc")).isEqualTo(before);

        putAfter("doc", 1, one, CheckpointRecord.digest(zero)).expectStatus().isCreated()
                .expectHeader().valueEquals(BatonHeaders.CHECKPOINT_DIGEST, CheckpointRecord.digest(one));
    }

    private WebTestClient.ResponseSpec putAfter(String document, long segment, byte[] body, String parent) {
        return client.put().uri(checkpointUri(document, segment)).header(RequestIds.TENANT_HEADER, tenant)
                .header(BatonHeaders.PARENT_DIGEST, parent)
                .contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(body).exchange();
    }

    @Test
    void aSkippedSegmentConflictsAndNamesTheHead() {
        writeUpTo("doc", 1);
        Head before = storedHead("doc");
        assertProblem(put("doc", 3, Checkpoints.checkpoint(tenant, "doc", 3)), HttpStatus.CONFLICT,
                "checkpoint-conflict")
                .jsonPath("$.expectedSegment").isEqualTo(2)
                .jsonPath("$.segment").isEqualTo(3)
                .jsonPath("$.head.document").isEqualTo("doc")
                .jsonPath("$.head.segment").isEqualTo(1)
                .jsonPath("$.head.version").isEqualTo(2);
        assertThat(storedHead("doc")).isEqualTo(before);
    }

    @Test
    void aDifferentCheckpointForAStoredSegmentConflicts() {
        writeUpTo("doc", 1);
        Head before = storedHead("doc");
        byte[] other = withMetadata("doc", 1, m -> m.put("baton.tokens", "999"));
        assertProblem(put("doc", 1, other), HttpStatus.CONFLICT, "checkpoint-conflict")
                .jsonPath("$.expectedSegment").isEqualTo(2);
        assertThat(storedHead("doc")).isEqualTo(before);
    }

    @Test
    void aFirstCheckpointOtherThanZeroConflictsWithNoHead() {
        assertProblem(put("doc", 1, Checkpoints.checkpoint(tenant, "doc", 1)), HttpStatus.CONFLICT,
                "checkpoint-conflict")
                .jsonPath("$.expectedSegment").isEqualTo(0)
                .jsonPath("$.head").doesNotExist();
        assertThat(storedHead("doc")).isNull();
    }

    @Test
    void aCheckpointOfAnotherModelIsRefused() {
        writeUpTo("doc", 0);
        Head before = storedHead("doc");
        byte[] other = withMetadata("doc", 1, m -> m.put("baton.model_digest", "sha256:" + "cd".repeat(32)));
        assertProblem(put("doc", 1, other), HttpStatus.CONFLICT, "model-mismatch")
                .jsonPath("$.head.modelDigest").isEqualTo(Checkpoints.DIGEST);
        assertThat(storedHead("doc")).isEqualTo(before);
    }

    @Test
    void forkStartsANewDocumentAndLeavesTheSourceAlone() {
        writeUpTo("doc", 2);
        byte[] source = client.get().uri(checkpointUri("doc", 1)).header(RequestIds.TENANT_HEADER, tenant)
                .exchange().expectBody(byte[].class).returnResult().getResponseBody();
        Head before = storedHead("doc");

        client.post().uri(checkpointUri("doc", 1) + "/fork").header(RequestIds.TENANT_HEADER, tenant)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("to", "branch")).exchange()
                .expectStatus().isCreated()
                .expectHeader().valueEquals(HttpHeaders.LOCATION, "/v1/documents/branch/head")
                .expectHeader().valueEquals("X-Baton-Segment", "1")
                .expectBody()
                .jsonPath("$.document").isEqualTo("branch")
                .jsonPath("$.segment").isEqualTo(1)
                .jsonPath("$.tokens").isEqualTo(128)
                .jsonPath("$.version").isEqualTo(1);

        byte[] forked = client.get().uri(checkpointUri("branch", 1)).header(RequestIds.TENANT_HEADER, tenant)
                .exchange().expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody();
        StateContainer forkedContainer = StateCodec.read(ByteBuffer.wrap(forked));
        StateContainer sourceContainer = StateCodec.read(ByteBuffer.wrap(source));
        assertThat(forkedContainer.metadata()).containsEntry("baton.document", "branch");
        assertThat(forkedContainer.tensors()).containsExactlyElementsOf(sourceContainer.tensors());

        assertThat(storedHead("doc")).isEqualTo(before);
        assertThat(client.get().uri(checkpointUri("doc", 1)).header(RequestIds.TENANT_HEADER, tenant)
                .exchange().expectBody(byte[].class).returnResult().getResponseBody()).isEqualTo(source);

        // the fork continues on its own
        put("branch", 2, Checkpoints.checkpoint(tenant, "branch", 2)).expectStatus().isCreated();
        assertThat(storedHead("doc")).isEqualTo(before);
    }

    @Test
    void badForksAreRefused() {
        writeUpTo("doc", 0);
        writeUpTo("other", 0);
        String fork = checkpointUri("doc", 0) + "/fork";
        assertProblem(postFork(fork, "{\"to\":\"other\"}"), HttpStatus.CONFLICT, "document-exists");
        assertProblem(postFork(fork, "{\"to\":\"no spaces\"}"), HttpStatus.BAD_REQUEST, "invalid-id");
        assertProblem(postFork(fork, "{}"), HttpStatus.BAD_REQUEST, "invalid-request");
        assertProblem(postFork(fork, "{\"to\": "), HttpStatus.BAD_REQUEST, "malformed-request");
        assertProblem(postFork(checkpointUri("doc", 5) + "/fork", "{\"to\":\"x\"}"), HttpStatus.NOT_FOUND,
                "checkpoint-not-found");
        assertProblem(postFork(checkpointUri("absent", 0) + "/fork", "{\"to\":\"x\"}"), HttpStatus.NOT_FOUND,
                "document-not-found");
        assertProblem(client.post().uri(fork).header(RequestIds.TENANT_HEADER, tenant)
                .contentType(MediaType.TEXT_PLAIN).bodyValue("to=x").exchange(),
                HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
        assertThat(storedHead("x")).isNull();
        assertThat(storedHead("other").version()).isEqualTo(1);
    }

    private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec postFork(String uri, String json) {
        return client.post().uri(uri).header(RequestIds.TENANT_HEADER, tenant)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange();
    }

    @Test
    void listPagesThroughTheTenantsOwnDocumentsOnly() {
        for (String document : List.of("a", "b", "c")) {
            writeUpTo(document, 0);
        }
        String otherTenant = "o-" + tenant;
        byte[] foreign = Checkpoints.checkpoint(otherTenant, "z", 0);
        client.put().uri(checkpointUri("z", 0)).header(RequestIds.TENANT_HEADER, otherTenant)
                .contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(foreign).exchange()
                .expectStatus().isCreated();

        DocumentListResponse first = client.get().uri("/v1/documents?limit=2").header(RequestIds.TENANT_HEADER, tenant)
                .exchange().expectStatus().isOk().expectBody(DocumentListResponse.class).returnResult().getResponseBody();
        assertThat(first.documents()).extracting(DocumentListResponse.Entry::document).containsExactly("a", "b");
        assertThat(first.documents().get(0).segment()).isZero();
        assertThat(first.documents().get(0).expiresAt()).isNotNull();
        assertThat(first.next()).isNotNull();

        client.get().uri(b -> b.path("/v1/documents").queryParam("limit", 2).queryParam("cursor", first.next()).build())
                .header(RequestIds.TENANT_HEADER, tenant).exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.documents[*].document").isEqualTo(List.of("c"))
                .jsonPath("$.next").doesNotExist();

        client.get().uri("/v1/documents").header(RequestIds.TENANT_HEADER, otherTenant).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.documents[*].document").isEqualTo(List.of("z"));
    }

    @Test
    void badListParametersAreRefused() {
        assertProblem(list("limit=0"), HttpStatus.BAD_REQUEST, "invalid-parameter");
        assertProblem(list("limit=1001"), HttpStatus.BAD_REQUEST, "invalid-parameter");
        assertProblem(list("limit=many"), HttpStatus.BAD_REQUEST, "malformed-request");
        assertProblem(list("cursor=not-one-of-ours"), HttpStatus.BAD_REQUEST, "invalid-cursor");
        assertProblem(client.get().uri("/v1/documents").exchange(), HttpStatus.BAD_REQUEST, "missing-tenant");
    }

    private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec list(String query) {
        return client.get().uri("/v1/documents?" + query).header(RequestIds.TENANT_HEADER, tenant).exchange();
    }

    @Test
    void deleteRemovesTheDocumentOnce() {
        writeUpTo("doc", 1);
        client.delete().uri("/v1/documents/doc").header(RequestIds.TENANT_HEADER, tenant).exchange()
                .expectStatus().isNoContent().expectBody().isEmpty();
        assertThat(storedHead("doc")).isNull();
        assertProblem(client.delete().uri("/v1/documents/doc").header(RequestIds.TENANT_HEADER, tenant).exchange(),
                HttpStatus.NOT_FOUND, "document-not-found");
        assertProblem(client.get().uri("/v1/documents/doc/head").header(RequestIds.TENANT_HEADER, tenant).exchange(),
                HttpStatus.NOT_FOUND, "document-not-found");
        // and it can start again from 0
        writeUpTo("doc", 0);
    }

    @Test
    void aConditionalDeleteDeletesOnlyWhileTheHeadIsTheNamedCheckpoint() {
        byte[] zero = writeUpTo("doc", 0);
        byte[] one = Checkpoints.checkpoint(tenant, "doc", 1);
        String oneDigest = put("doc", 1, one).expectStatus().isCreated()
                .returnResult(Void.class).getResponseHeaders().getFirst(BatonHeaders.CHECKPOINT_DIGEST);
        Head before = storedHead("doc");

        assertProblem(deleteIfMatch("doc", "\"" + CheckpointRecord.digest(zero) + "\""),
                HttpStatus.PRECONDITION_FAILED, "parent-mismatch")
                .jsonPath("$.head.segment").isEqualTo(1);
        for (String malformed : List.of(oneDigest, "W/\"" + oneDigest + "\"", "\"not-a-digest\"",
                "\"" + oneDigest + "\", \"" + oneDigest + "\"")) {
            assertProblem(deleteIfMatch("doc", malformed), HttpStatus.BAD_REQUEST, "invalid-parameter");
        }
        assertThat(storedHead("doc")).isEqualTo(before);

        deleteIfMatch("doc", "\"" + oneDigest + "\"").expectStatus().isNoContent();
        assertThat(storedHead("doc")).isNull();
        assertProblem(deleteIfMatch("doc", "\"" + oneDigest + "\""), HttpStatus.NOT_FOUND, "document-not-found");

        writeUpTo("doc", 0);
        deleteIfMatch("doc", "*").expectStatus().isNoContent();
        assertThat(storedHead("doc")).isNull();
    }

    private WebTestClient.ResponseSpec deleteIfMatch(String document, String ifMatch) {
        return client.delete().uri("/v1/documents/" + document).header(RequestIds.TENANT_HEADER, tenant)
                .header(HttpHeaders.IF_MATCH, ifMatch).exchange();
    }

    @Test
    void anotherTenantsDocumentDoesNotExist() {
        writeUpTo("doc", 0);
        Head before = storedHead("doc");
        String intruder = "i-" + tenant;
        assertProblem(client.get().uri("/v1/documents/doc/head").header(RequestIds.TENANT_HEADER, intruder).exchange(),
                HttpStatus.NOT_FOUND, "document-not-found");
        assertProblem(client.get().uri(checkpointUri("doc", 0)).header(RequestIds.TENANT_HEADER, intruder).exchange(),
                HttpStatus.NOT_FOUND, "document-not-found");
        assertProblem(client.delete().uri("/v1/documents/doc").header(RequestIds.TENANT_HEADER, intruder).exchange(),
                HttpStatus.NOT_FOUND, "document-not-found");
        assertProblem(client.post().uri(checkpointUri("doc", 0) + "/fork").header(RequestIds.TENANT_HEADER, intruder)
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"to\":\"mine\"}").exchange(),
                HttpStatus.NOT_FOUND, "document-not-found");
        // a container naming this tenant is refused from the other one
        assertProblem(client.put().uri(checkpointUri("doc", 1)).header(RequestIds.TENANT_HEADER, intruder)
                .contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(Checkpoints.checkpoint(tenant, "doc", 1))
                .exchange(), HttpStatus.BAD_REQUEST, "checkpoint-metadata")
                .jsonPath("$.key").isEqualTo("baton.tenant");
        assertThat(storedHead("doc")).isEqualTo(before);
        assertThat(store.head(new DocumentKey(intruder, "doc")).block()).isNull();
    }

    @Test
    void aCheckpointNotKeptIsNotFound() {
        writeUpTo("doc", 4);
        assertProblem(client.get().uri(checkpointUri("doc", 0)).header(RequestIds.TENANT_HEADER, tenant).exchange(),
                HttpStatus.NOT_FOUND, "checkpoint-not-found")
                .jsonPath("$.oldest").isEqualTo(2)
                .jsonPath("$.newest").isEqualTo(4);
        assertProblem(client.get().uri(checkpointUri("doc", 9)).header(RequestIds.TENANT_HEADER, tenant).exchange(),
                HttpStatus.NOT_FOUND, "checkpoint-not-found");
        assertProblem(client.get().uri(checkpointUri("doc", "x")).header(RequestIds.TENANT_HEADER, tenant).exchange(),
                HttpStatus.BAD_REQUEST, "invalid-segment");
    }

    // ---- bad uploads: each refused with its own type, nothing stored ----

    @Test
    void aMissingTenantHeaderIsRefusedFirst() {
        assertProblem(client.put().uri(checkpointUri("bad doc", -1)).contentType(MediaType.APPLICATION_OCTET_STREAM)
                .bodyValue(new byte[0]).exchange(), HttpStatus.BAD_REQUEST, "missing-tenant");
        assertProblem(client.get().uri("/v1/documents/doc/head").exchange(), HttpStatus.BAD_REQUEST, "missing-tenant");
    }

    @Test
    void malformedIdsAreRefused() {
        byte[] bytes = Checkpoints.checkpoint(tenant, "doc", 0);
        for (String bad : List.of("spa ce", "sl/ash", "x".repeat(65), "")) {
            assertProblem(client.put().uri(checkpointUri("doc", 0)).header(RequestIds.TENANT_HEADER, bad)
                    .contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(bytes).exchange(),
                    HttpStatus.BAD_REQUEST, "invalid-id");
        }
        for (String bad : List.of("bad$doc", "d%20oc", "x".repeat(129), "caf%C3%A9")) {
            assertProblem(put(bad, 0, bytes), HttpStatus.BAD_REQUEST, "invalid-id");
        }
        assertThat(storedHead("doc")).isNull();
        assertThat(store.list(tenant, null, 10).block().documents()).isEmpty();
    }

    @Test
    void negativeAndNonNumericSegmentsAreRefused() {
        writeUpTo("doc", 0);
        Head before = storedHead("doc");
        for (String bad : List.of("-1", "abc", "1.5", "1e3", "99999999999999999999")) {
            assertProblem(put("doc", bad, Checkpoints.checkpoint(tenant, "doc", 1)), HttpStatus.BAD_REQUEST,
                    "invalid-segment");
        }
        assertThat(storedHead("doc")).isEqualTo(before);
    }

    @Test
    void anEmptyBodyIsRefused() {
        assertProblem(put("doc", 0, new byte[0]), HttpStatus.BAD_REQUEST, "empty-body");
        assertProblem(client.put().uri(checkpointUri("doc", 0)).header(RequestIds.TENANT_HEADER, tenant)
                .contentType(MediaType.APPLICATION_OCTET_STREAM).body(Flux.<DataBuffer>empty(), DataBuffer.class)
                .exchange(), HttpStatus.BAD_REQUEST, "empty-body");
        assertThat(storedHead("doc")).isNull();
    }

    @Test
    void aBodyOverTheLimitIsRefusedWhetherDeclaredOrChunked() {
        byte[] big = Checkpoints.sized(Checkpoints.metadata(tenant, "doc", 0), 1, LIMIT + 1024);
        assertProblem(put("doc", 0, big), HttpStatus.CONTENT_TOO_LARGE, "payload-too-large")
                .jsonPath("$.limit").isEqualTo(LIMIT);

        Flux<DataBuffer> chunks = Flux.range(0, 40).map(i -> DefaultDataBufferFactory.sharedInstance
                .wrap(Arrays.copyOfRange(big, Math.min(big.length, i * 8192), Math.min(big.length, (i + 1) * 8192))));
        assertProblem(client.put().uri(checkpointUri("doc", 0)).header(RequestIds.TENANT_HEADER, tenant)
                .contentType(MediaType.APPLICATION_OCTET_STREAM).body(chunks, DataBuffer.class).exchange(),
                HttpStatus.CONTENT_TOO_LARGE, "payload-too-large");
        assertThat(storedHead("doc")).isNull();

        // exactly at the limit is fine
        byte[] atLimit = Checkpoints.exactly(Checkpoints.metadata(tenant, "doc", 0), 1, LIMIT);
        assertThat(atLimit).hasSize(LIMIT);
        put("doc", 0, atLimit).expectStatus().isCreated();
    }

    @Test
    void aChunkedUploadWithinTheLimitIsStored() {
        byte[] bytes = Checkpoints.sized(Checkpoints.metadata(tenant, "doc", 0), 1, 100_000);
        Flux<DataBuffer> chunks = Flux.range(0, 13).map(i -> DefaultDataBufferFactory.sharedInstance
                .wrap(Arrays.copyOfRange(bytes, Math.min(bytes.length, i * 8192), Math.min(bytes.length, (i + 1) * 8192))));
        client.put().uri(checkpointUri("doc", 0)).header(RequestIds.TENANT_HEADER, tenant)
                .contentType(MediaType.APPLICATION_OCTET_STREAM).body(chunks, DataBuffer.class).exchange()
                .expectStatus().isCreated().expectBody().jsonPath("$.bytes").isEqualTo(bytes.length);
        assertThat(client.get().uri(checkpointUri("doc", 0)).header(RequestIds.TENANT_HEADER, tenant).exchange()
                .expectBody(byte[].class).returnResult().getResponseBody()).isEqualTo(bytes);
    }

    @Test
    void brokenContainersAreRefusedWithTheirReason() {
        writeUpTo("doc", 0);
        Head before = storedHead("doc");
        byte[] valid = Checkpoints.checkpoint(tenant, "doc", 1);
        assertProblem(put("doc", 1, Arrays.copyOf(valid, 5)), HttpStatus.BAD_REQUEST, "state-format")
                .jsonPath("$.reason").isEqualTo("TRUNCATED");
        assertProblem(put("doc", 1, Arrays.copyOf(valid, valid.length / 2)), HttpStatus.BAD_REQUEST, "state-format")
                .jsonPath("$.reason").isEqualTo("OFFSETS");
        assertProblem(put("doc", 1, Arrays.copyOf(valid, 100)), HttpStatus.BAD_REQUEST, "state-format")
                .jsonPath("$.reason").isEqualTo("HEADER_LENGTH");
        byte[] notJson = valid.clone();
        notJson[8] = '[';
        assertProblem(put("doc", 1, notJson), HttpStatus.BAD_REQUEST, "state-format")
                .jsonPath("$.reason").isEqualTo("MALFORMED_HEADER");
        assertThat(storedHead("doc")).isEqualTo(before);
    }

    @Test
    void missingOrInconsistentMetadataIsRefusedNamingTheKey() {
        writeUpTo("doc", 0);
        Head before = storedHead("doc");
        Map<String, java.util.function.Consumer<Map<String, String>>> cases = new java.util.LinkedHashMap<>();
        cases.put("baton.format", m -> m.put("baton.format", "2"));
        cases.put("baton.model", m -> m.remove("baton.model"));
        cases.put("baton.model_digest", m -> m.remove("baton.model_digest"));
        cases.put("baton.tokens", m -> m.put("baton.tokens", "many"));
        cases.put("baton.segment", m -> m.put("baton.segment", "2"));
        cases.put("baton.document", m -> m.put("baton.document", "elsewhere"));
        cases.put("baton.tenant", m -> m.remove("baton.tenant"));
        cases.put("baton.downcast", m -> m.put("baton.downcast", "f16"));
        for (var entry : cases.entrySet()) {
            assertProblem(put("doc", 1, withMetadata("doc", 1, entry.getValue())), HttpStatus.BAD_REQUEST,
                    "checkpoint-metadata").jsonPath("$.key").isEqualTo(entry.getKey());
        }
        assertProblem(put("doc", 1, withMetadata("doc", 1, m -> m.put("baton.model", "two\nlines"))),
                HttpStatus.BAD_REQUEST, "checkpoint-metadata").jsonPath("$.key").isEqualTo("baton.model");
        assertThat(storedHead("doc")).isEqualTo(before);
    }

    @Test
    void aWriteOverTheTenantQuotaIsRefused() {
        byte[] first = Checkpoints.sized(Checkpoints.metadata(tenant, "doc", 0), 1, 200_000);
        put("doc", 0, first).expectStatus().isCreated();
        Head before = storedHead("doc");
        byte[] second = Checkpoints.sized(Checkpoints.metadata(tenant, "doc", 1), 2, 250_000);
        assertProblem(put("doc", 1, second), HttpStatus.INSUFFICIENT_STORAGE, "quota-exceeded")
                .jsonPath("$.quota").isEqualTo(QUOTA);
        assertThat(storedHead("doc")).isEqualTo(before);
    }

    @Test
    void theWrongMediaTypeIsRefused() {
        assertProblem(client.put().uri(checkpointUri("doc", 0)).header(RequestIds.TENANT_HEADER, tenant)
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{}").exchange(),
                HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
        assertThat(storedHead("doc")).isNull();
    }

    @Test
    void problemsAreAnsweredWhateverTheClientAccepts() {
        writeUpTo("doc", 0);
        assertProblem(client.put().uri(checkpointUri("doc", 2)).header(RequestIds.TENANT_HEADER, tenant)
                .accept(MediaType.APPLICATION_JSON).contentType(MediaType.APPLICATION_OCTET_STREAM)
                .bodyValue(Checkpoints.checkpoint(tenant, "doc", 2)).exchange(), HttpStatus.CONFLICT,
                "checkpoint-conflict").jsonPath("$.expectedSegment").isEqualTo(1);
        client.get().uri(checkpointUri("doc", 7)).header(RequestIds.TENANT_HEADER, tenant)
                .accept(MediaType.APPLICATION_OCTET_STREAM).exchange()
                .expectStatus().isNotFound();
    }

    @Test
    void unknownRoutesAndMethodsAreProblemsToo() {
        assertProblem(client.get().uri("/v2/elsewhere").header(RequestIds.TENANT_HEADER, tenant).exchange(),
                HttpStatus.NOT_FOUND, "not-found");
        assertProblem(client.method(HttpMethod.PATCH).uri("/v1/documents/doc/head")
                .header(RequestIds.TENANT_HEADER, tenant).exchange(), HttpStatus.METHOD_NOT_ALLOWED,
                "method-not-allowed");
    }
}
