package io.baton.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.baton.gateway.documents.DocumentService;
import io.baton.gateway.documents.DocumentView;
import io.baton.gateway.documents.DocumentWrite;
import io.baton.gateway.documents.IngestRequest;
import io.baton.protocol.inference.InferenceClient;
import io.baton.gateway.segmenting.ModelTokenizers;
import io.baton.inference.state.StateCache;
import io.baton.protocol.inference.GenerateRequest;
import io.baton.protocol.inference.GeneratedToken;
import io.baton.memory.store.CheckpointStore;
import io.baton.memory.store.DocumentKey;
import io.baton.memory.store.Head;
import io.baton.protocol.memory.Written;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;

/**
 * The documents API in standalone mode over real HTTP, with gemma2-tiny, the in-process inference
 * and the in-memory store, which every test also reads directly to see what was (not) stored.
 */
class DocumentsApiTest {

    static final String TENANT = "local";
    static final String MODEL = "gemma2-tiny";
    static final String TEXT = Standalone.mobyDick(150_000, 3_000);

    static WebTestClient client;
    static CheckpointStore store;

    @BeforeAll
    static void start() {
        client = Standalone.client();
        store = Standalone.context().getBean(CheckpointStore.class);
    }

    static String id(String name) {
        return name + "-" + UUID.randomUUID();
    }

    static DocumentWrite ingest(String id, String text) {
        return client.post().uri("/v1/documents").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("text", text, "id", id, "model", MODEL))
                .exchange()
                .expectStatus().isCreated()
                .expectHeader().location("/v1/documents/" + id)
                .expectBody(DocumentWrite.class).returnResult().getResponseBody();
    }

    static DocumentWrite append(String path, String text) {
        return client.post().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("text", text))
                .exchange()
                .expectStatus().isOk()
                .expectBody(DocumentWrite.class).returnResult().getResponseBody();
    }

    static DocumentView get(String id) {
        return client.get().uri("/v1/documents/" + id).exchange()
                .expectStatus().isOk()
                .expectBody(DocumentView.class).returnResult().getResponseBody();
    }

    static Head head(String id) {
        return store.head(new DocumentKey(TENANT, id)).block(Duration.ofSeconds(10));
    }

    static long bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void anIngestStoresTheWholeTextAndReportsItsSegments() {
        String id = id("ingest");
        DocumentWrite write = ingest(id, TEXT);

        List<DocumentWrite.Written> written = write.written();
        assertThat(written).isNotEmpty();
        long chars = 0;
        long tokens = 0;
        for (int i = 0; i < written.size(); i++) {
            DocumentWrite.Written segment = written.get(i);
            assertThat(segment.index()).isEqualTo(i);
            assertThat(segment.start()).isEqualTo(chars);
            assertThat(segment.tokenOffset()).isEqualTo(tokens);
            assertThat(segment.tokens()).isBetween(1, 256);
            chars = segment.end();
            tokens += segment.tokens();
        }
        assertThat(chars).isEqualTo(TEXT.length());
        assertThat(tokens).isEqualTo(bytes(TEXT));
        DocumentView document = write.document();
        assertThat(document.id()).isEqualTo(id);
        assertThat(document.model()).isEqualTo(MODEL);
        assertThat(document.segment()).isEqualTo(written.size() - 1);
        assertThat(document.segments()).isEqualTo(written.size());
        assertThat(document.tokens()).isEqualTo(tokens);
        assertThat(document.version()).isEqualTo(written.size());
        assertThat(document.stateDigest()).matches("sha256:[0-9a-f]{64}");
        assertThat(write.stats().tokens()).isEqualTo(tokens);
        assertThat(write.stats().segments()).isEqualTo(written.size());

        Head head = head(id);
        assertThat(head.segment()).isEqualTo(document.segment());
        assertThat(head.tokens()).isEqualTo(tokens);
        assertThat(get(id)).isEqualTo(document);
    }

    @Test
    void anIngestWithoutAnIdGetsAFreshOne() {
        DocumentWrite write = client.post().uri("/v1/documents").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("text", "Call me Ishmael."))
                .exchange()
                .expectStatus().isCreated()
                .expectBody(DocumentWrite.class).returnResult().getResponseBody();
        assertThat(write.document().id()).startsWith("doc-");
        assertThat(write.document().model()).isEqualTo(MODEL);
        assertThat(head(write.document().id()).tokens()).isEqualTo(16);
    }

    @Test
    void appendsCutAtTheReportedBoundariesGiveTheStateOfOneIngest() {
        DocumentWrite whole = ingest(id("whole"), TEXT);
        List<DocumentWrite.Written> segments = whole.written();
        assertThat(segments).hasSizeGreaterThan(7);
        int first = (int) segments.get(2).end();
        int second = (int) segments.get(6).end();

        String id = id("appended");
        DocumentWrite one = ingest(id, TEXT.substring(0, first));
        DocumentWrite two = append("/v1/documents/" + id + "/append", TEXT.substring(first, second));
        DocumentWrite three = append("/v1/documents/" + id + ":append", TEXT.substring(second));

        // Numbered on from the head, token offsets carried, character offsets within each call's text.
        assertThat(two.written().get(0).index()).isEqualTo(3);
        assertThat(two.written().get(0).tokenOffset()).isEqualTo(one.document().tokens());
        assertThat(two.written().get(0).start()).isZero();
        assertThat(three.written().get(0).index()).isEqualTo(7);
        List<DocumentWrite.Written> together = new ArrayList<>();
        together.addAll(one.written());
        together.addAll(two.written());
        together.addAll(three.written());
        assertThat(together).extracting(DocumentWrite.Written::index, DocumentWrite.Written::tokenOffset,
                        DocumentWrite.Written::tokens)
                .isEqualTo(segments.stream().map(s -> org.assertj.core.groups.Tuple.tuple(s.index(), s.tokenOffset(),
                        s.tokens())).toList());

        DocumentView appended = three.document();
        assertThat(appended.stateDigest()).isEqualTo(whole.document().stateDigest());
        assertThat(appended.tokens()).isEqualTo(whole.document().tokens());
        assertThat(appended.segment()).isEqualTo(whole.document().segment());
        assertThat(get(id).stateDigest()).isEqualTo(whole.document().stateDigest());
        // A document with a different text has a different state.
        assertThat(one.document().stateDigest()).isNotEqualTo(appended.stateDigest());
    }

    @Test
    void generationStreamsFromTheHeadAndLeavesTheDocumentUnchanged() {
        String id = id("generate");
        DocumentView before = ingest(id, TEXT.substring(0, 1_000)).document();

        List<ServerSentEvent<Map<String, Object>>> events = generate("/v1/documents/" + id + "/generate",
                Map.of("prompt", "\n\nWhat happened next?", "maxTokens", 12));
        assertThat(events).hasSize(13);
        StringBuilder streamed = new StringBuilder();
        List<Long> tokens = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ServerSentEvent<Map<String, Object>> event = events.get(i);
            assertThat(event.event()).isEqualTo("token");
            assertThat(((Number) event.data().get("index")).intValue()).isEqualTo(i);
            tokens.add(((Number) event.data().get("token")).longValue());
            streamed.append(event.data().get("text"));
        }
        ServerSentEvent<Map<String, Object>> done = events.get(12);
        assertThat(done.event()).isEqualTo("done");
        assertThat(((List<?>) done.data().get("tokens")).stream().map(t -> ((Number) t).longValue()).toList())
                .isEqualTo(tokens);
        assertThat(((Number) done.data().get("fromSegment")).longValue()).isEqualTo(before.segment());
        assertThat(done.data().get("reason")).isEqualTo("length");
        String text = (String) done.data().get("text");
        long[] ids = tokens.stream().mapToLong(Long::longValue).toArray();
        assertThat(text).isEqualTo(Standalone.context().getBean(ModelTokenizers.class).tokenizer(MODEL).decode(ids));
        assertThat(text).startsWith(streamed.toString());

        // Exactly what inference generates from that checkpoint with the same prompt, greedily.
        long[] prompt = Standalone.context().getBean(ModelTokenizers.class).tokenizer(MODEL)
                .encode("\n\nWhat happened next?").ids();
        List<Long> direct = Standalone.context().getBean(InferenceClient.class)
                .generate(TENANT, new GenerateRequest(id, before.segment(), MODEL, prompt, 12, 0.0, 1.0, 0L, null))
                .map(GeneratedToken::token).collectList().block(Duration.ofMinutes(1));
        assertThat(tokens).isEqualTo(direct);

        // The document did not move, and the other path and a sampled, seeded request repeat.
        assertThat(get(id)).isEqualTo(before);
        assertThat(head(id).version()).isEqualTo(before.version());
        Map<String, Object> sampled = Map.of("prompt", "Why?", "maxTokens", 8, "temperature", 0.9, "topP", 0.9,
                "seed", 42);
        assertThat(generate("/v1/documents/" + id + ":generate", sampled))
                .extracting(ServerSentEvent::data)
                .isEqualTo(generate("/v1/documents/" + id + "/generate", sampled).stream()
                        .map(ServerSentEvent::data).toList());
        assertThat(get(id)).isEqualTo(before);
    }

    static List<ServerSentEvent<Map<String, Object>>> generate(String path, Map<String, Object> body) {
        return generate(client, path, body);
    }

    /** The events of a generation through {@code client} (shared with the summaries tests). */
    static List<ServerSentEvent<Map<String, Object>>> generate(WebTestClient client, String path,
                                                               Map<String, Object> body) {
        return client.post().uri(path).contentType(MediaType.APPLICATION_JSON).accept(MediaType.TEXT_EVENT_STREAM)
                .bodyValue(body)
                .exchange()
                .expectStatus().isOk()
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>>() {
                })
                .getResponseBody().collectList().block(Duration.ofMinutes(1));
    }

    @Test
    void aDeletedDocumentIsGone() {
        String id = id("delete");
        DocumentWrite written = ingest(id, "Call me Ishmael. Some years ago, never mind how long precisely.");
        StateCache cache = Standalone.context().getBean(StateCache.class);
        long last = written.document().segment();
        assertThat(cache.find(TENANT, id, MODEL, last)).as("inference kept the state it stored last").isNotNull();

        client.delete().uri("/v1/documents/" + id).exchange().expectStatus().isNoContent();

        assertThat(cache.find(TENANT, id, MODEL, last)).as("the delete made inference forget it").isNull();
        assertThat(head(id)).isNull();
        problem(client.get().uri("/v1/documents/" + id).exchange(), 404, "document-not-found");
        problem(post("/v1/documents/" + id + "/append", Map.of("text", "More.")), 404, "document-not-found");
        problem(post("/v1/documents/" + id + ":append", Map.of("text", "More.")), 404, "document-not-found");
        problem(client.post().uri("/v1/documents/" + id + "/generate").contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.TEXT_EVENT_STREAM).bodyValue(Map.of("prompt", "Why?")).exchange(),
                404, "document-not-found");
        problem(client.delete().uri("/v1/documents/" + id).exchange(), 404, "document-not-found");
        assertThat(head(id)).isNull();
    }

    @Test
    void unknownDocumentsAreNotFound() {
        problem(client.get().uri("/v1/documents/never-ingested").exchange(), 404, "document-not-found");
        problem(client.get().uri("/v1/documents/not%20an%20id").exchange(), 404, "document-not-found");
        problem(post("/v1/documents/never-ingested/append", Map.of("text", "More.")), 404, "document-not-found");
        assertThat(head("never-ingested")).isNull();
    }

    @Test
    void anExistingIdIsAConflictAndTheDocumentStaysAsItWas() {
        String id = id("exists");
        DocumentView first = ingest(id, "Call me Ishmael.").document();
        problem(post("/v1/documents", Map.of("text", "Something else entirely.", "id", id)), 409, "document-exists");
        assertThat(get(id)).isEqualTo(first);
    }

    @Test
    void badTextsAreRefusedAndNothingIsStored() {
        String id = id("bad");
        // Texts as JSON string contents (escapes as a client sends them).
        List<Object[]> cases = List.of(
                new Object[] {"", 400, "empty-text"},
                new Object[] {" \\n\\t  ", 400, "empty-text"},
                new Object[] {"Call me\\u0000 Ishmael.", 400, "binary-text"},
                new Object[] {"\\u0001\\u0002\\u0003\\u0004abc\\u0005\\u0006\\u0007\\u0008", 400, "binary-text"},
                new Object[] {"Call me \\ud800Ishmael.", 400, "malformed-text"});
        for (Object[] c : cases) {
            problem(post("/v1/documents", "{\"id\":\"" + id + "\",\"text\":\"" + c[0] + "\"}"), (int) c[1],
                    (String) c[2]);
            assertThat(head(id)).isNull();
        }
        problem(post("/v1/documents", Map.of("text", "Call me Ishmael.", "id", id, "model", "no-such-model")), 404,
                "unknown-model");
        problem(post("/v1/documents", Map.of("text", "Call me Ishmael.", "id", "not an id")), 400, "invalid-request");
        assertThat(head(id)).isNull();

        // The same texts appended leave an existing document as it was.
        DocumentView before = ingest(id, "Call me Ishmael.").document();
        for (Object[] c : cases) {
            problem(post("/v1/documents/" + id + "/append", "{\"text\":\"" + c[0] + "\"}"), (int) c[1],
                    (String) c[2]);
        }
        assertThat(get(id)).isEqualTo(before);
        assertThat(head(id).version()).isEqualTo(before.version());
    }

    @Test
    void badBodiesAreRefusedAndNothingIsStored() {
        String id = id("body");
        byte[] notUtf8 = ("{\"id\":\"" + id + "\",\"text\":\"Call me \u00ff\u00fe Ishmael.\"}")
                .getBytes(StandardCharsets.ISO_8859_1);
        problem(post("/v1/documents", notUtf8), 400, "invalid-utf8");
        // Raw control bytes inside a JSON string are not JSON; random bytes are neither JSON nor UTF-8.
        problem(post("/v1/documents", "{\"id\":\"" + id + "\",\"text\":\"a\u0000\u0001b\"}"), 400,
                "malformed-request");
        byte[] binary = new byte[4096];
        new java.util.Random(7).nextBytes(binary);
        problem(post("/v1/documents", binary), 400, null);
        problem(client.post().uri("/v1/documents").contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(binary)
                .exchange(), 415, "unsupported-media-type");
        problem(post("/v1/documents", "{\"id\":\"" + id + "\",\"text\": \"Call me"), 400, "malformed-request");
        assertThat(head(id)).isNull();

        DocumentView before = ingest(id, "Call me Ishmael.").document();
        problem(post("/v1/documents/" + id + "/append", "{\"text\":\"Call me \u00ff Ishmael.\"}"
                .getBytes(StandardCharsets.ISO_8859_1)), 400, "invalid-utf8");
        problem(post("/v1/documents/" + id + "/append", "{\"text\": 12"), 400, "malformed-request");
        problem(post("/v1/documents/" + id + "/append", Map.of("nothing", "here")), 400, "invalid-request");
        assertThat(get(id)).isEqualTo(before);
    }

    @Test
    void aThirtyMegabyteBodyIsRefusedAsTooLarge() {
        String id = id("large");
        String text = "a".repeat(30 * 1024 * 1024);
        problem(post("/v1/documents", "{\"id\":\"" + id + "\",\"text\":\"" + text + "\"}"), 413, "payload-too-large");
        assertThat(head(id)).isNull();
        DocumentView before = ingest(id, "Call me Ishmael.").document();
        problem(post("/v1/documents/" + id + "/append", "{\"text\":\"" + text + "\"}"), 413, "payload-too-large");
        assertThat(get(id)).isEqualTo(before);
    }

    @Test
    void ofTwoConcurrentAppendsOneIsRefusedWithAConflict() {
        String id = id("concurrent");
        DocumentView before = ingest(id, "Call me Ishmael.").document();
        DocumentService documents = Standalone.context().getBean(DocumentService.class);
        String long_ = Standalone.mobyDick(400_000, 40_000);

        CompletableFuture<ResponseEntity<DocumentWrite>> first = WebClient.create("http://127.0.0.1:" + Standalone.port())
                .post().uri("/v1/documents/" + id + "/append").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("text", long_)).retrieve().toEntity(DocumentWrite.class).toFuture();
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(1))
                .until(() -> documents.leases().held(TENANT, id) || first.isDone());
        assertThat(first).isNotDone();   // the first append is still running: the second meets it

        problem(post("/v1/documents/" + id + ":append", Map.of("text", "Something else.")), 409, "document-busy");

        ResponseEntity<DocumentWrite> done = first.join();
        assertThat(done.getStatusCode().value()).isEqualTo(200);
        DocumentWrite write = done.getBody();
        assertThat(write.document().tokens()).isEqualTo(before.tokens() + bytes(long_));
        assertThat(write.document().version()).isEqualTo(before.version() + write.written().size());
        assertThat(head(id).tokens()).isEqualTo(before.tokens() + bytes(long_));
        assertThat(documents.leases().held(TENANT, id)).isFalse();
    }

    @Test
    void aCancelledIngestLeavesNothingBehind() {
        String id = id("cancelled");
        DocumentService documents = Standalone.context().getBean(DocumentService.class);
        // 400,000 characters (about 100,000 tokens): still ingesting when it is cancelled after its third segment
        // (40,000 had all been stored before the cancel once on a quiet machine).
        Disposable run = documents.ingest(TENANT, new IngestRequest(Standalone.mobyDick(500_000, 400_000), MODEL, id))
                .subscribe(write -> { }, error -> { });
        await().atMost(Duration.ofMinutes(1)).until(() -> head(id) != null && head(id).segment() >= 2);
        run.dispose();
        await().atMost(Duration.ofMinutes(1)).until(() -> head(id) == null && !documents.leases().held(TENANT, id));
        assertThat(head(id)).isNull();
    }

    static WebTestClient.ResponseSpec post(String path, Object body) {
        return client.post().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    static void problem(WebTestClient.ResponseSpec response, int status, String type) {
        WebTestClient.BodyContentSpec body = response.expectStatus().isEqualTo(status)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.status").isEqualTo(status)
                .jsonPath("$.detail").isNotEmpty();
        if (type != null) {
            body.jsonPath("$.type").isEqualTo("urn:baton:problem:" + type);
        }
    }
}
