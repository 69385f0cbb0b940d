package io.baton.contract;

import static io.baton.contract.Refusals.refusal;
import static org.assertj.core.api.Assertions.assertThat;

import io.baton.common.testing.SpringServer;
import io.baton.common.testing.TestServers;
import io.baton.inference.InferenceServiceApplication;
import io.baton.inference.generation.GenerationService;
import io.baton.inference.segments.SegmentService;
import io.baton.memory.MemoryServiceApplication;
import io.baton.protocol.problems.ServiceCallException;
import io.baton.protocol.client.ClientSettings;
import io.baton.protocol.inference.GenerateRequest;
import io.baton.protocol.inference.GeneratedToken;
import io.baton.protocol.inference.HttpInferenceClient;
import io.baton.protocol.inference.InferenceClient;
import io.baton.protocol.inference.SegmentRequest;
import io.baton.protocol.inference.SegmentResponse;
import io.baton.protocol.problems.ProblemType;
import io.baton.standalone.InProcessInferenceClient;
import jakarta.validation.Validator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The contract of {@link InferenceClient}, run against both adapters with one real inference
 * service behind them (the zoo's gemma2-tiny, a real memory service with Redis and a tenant quota
 * behind it): {@link HttpInferenceClient} over HTTP and {@link InProcessInferenceClient} over the
 * same service's {@link SegmentService} and {@link GenerationService}. Every answer is the same
 * through both, each refusal with the same problem type, status and extra members, those the
 * memory service gives inference among them.
 */
class InferenceClientContractIT {

    static final String MODEL = "gemma2-tiny";
    /** About three gemma2-tiny checkpoints (32 KB of state each). */
    static final int QUOTA = 100_000;

    static SpringServer memory;
    static SpringServer inference;
    static HttpInferenceClient http;
    static InProcessInferenceClient inProcess;
    /** Inference whose memory service is down, and one whose "memory service" answers outside the catalogue. */
    static SpringServer memoryDown;
    static DisposableServer stranger;
    static SpringServer memoryStranger;

    @BeforeAll
    static void start() {
        memory = SpringServer.start(MemoryServiceApplication.class, Map.of("server.address", "127.0.0.1",
                "baton.store.kind", "redis", "baton.redis.url", TestServers.redisUrl(),
                "baton.limits.tenant-quota-bytes", Integer.toString(QUOTA)));
        inference = SpringServer.start(InferenceServiceApplication.class, Map.of("server.address", "127.0.0.1",
                "baton.memory.url", memory.baseUrl(), "baton.models.default-model", MODEL,
                "baton.segments.max-tokens", "300"));
        http = new HttpInferenceClient(WebClient.builder(), new ClientSettings(inference.baseUrl(),
                Duration.ofSeconds(60), 2, Duration.ofMillis(20), null, null, null));
        inProcess = new InProcessInferenceClient(inference.bean(SegmentService.class),
                inference.bean(GenerationService.class), inference.bean(Validator.class));

        memoryDown = SpringServer.start(InferenceServiceApplication.class, Map.of("server.address", "127.0.0.1",
                "baton.memory.url", "http://127.0.0.1:" + ClosedPorts.one(), "baton.memory.retries", "1",
                "baton.models.default-model", MODEL));
        // Something that is not a Baton service: every call is answered 418 with a body of its own.
        stranger = HttpServer.create().host("127.0.0.1").port(0)
                .handle((request, response) -> request.receive().then(response.status(418)
                        .sendString(reactor.core.publisher.Mono.just("I'm a teapot")).then()))
                .bindNow();
        memoryStranger = SpringServer.start(InferenceServiceApplication.class, Map.of("server.address", "127.0.0.1",
                "baton.memory.url", "http://127.0.0.1:" + stranger.port(), "baton.models.default-model", MODEL));
    }

    @AfterAll
    static void stop() {
        for (SpringServer server : new SpringServer[] {memoryStranger, memoryDown, inference, memory}) {
            if (server != null) {
                server.close();
            }
        }
        if (stranger != null) {
            stranger.disposeNow();
        }
    }

    static Stream<InferenceClient> adapters() {
        return Stream.of(http, inProcess);
    }

    static String tenant() {
        return "contract-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Byte-level token ids of {@code text} (gemma2-tiny's tokenizer maps byte b to id b). */
    static long[] tokens(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        long[] ids = new long[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = bytes[i] & 0xFF;
        }
        return ids;
    }

    static SegmentRequest segment(String document, long n, String text) {
        long[] ids = tokens(text);
        return new SegmentRequest(document, n, MODEL, ids, List.of(new int[] {0, ids.length}), null);
    }

    @ParameterizedTest
    @MethodSource("adapters")
    void segmentsRunInOrderAndGenerationContinuesTheDocument(InferenceClient client) {
        String tenant = tenant();
        SegmentResponse first = client.process(tenant, segment("doc", 0, "Call me Ishmael.")).block(Duration.ofSeconds(60));
        assertThat(first.segment()).isZero();
        assertThat(first.tokens()).isEqualTo(16);
        assertThat(first.sentenceVectors()).hasSize(1);
        assertThat(first.tokenNll()).hasSize(15);
        SegmentResponse second = client.process(tenant, segment("doc", 1, " Some years ago.")).block(Duration.ofSeconds(60));
        assertThat(second.tokens()).isEqualTo(32);

        List<GeneratedToken> generated = client.generate(tenant, new GenerateRequest("doc", null, MODEL,
                tokens(" And"), 4, null, null, null, null)).collectList().block(Duration.ofSeconds(60));
        assertThat(generated).extracting(GeneratedToken::index).containsExactly(0, 1, 2, 3);
    }

    @ParameterizedTest
    @MethodSource("adapters")
    void aSegmentAheadOfTheDocumentIsASegmentGapNamingTheNextOne(InferenceClient client) {
        ServiceCallException refused = refusal(client.process(tenant(), segment("doc", 2, "Too far.")).then(),
                ProblemType.SEGMENT_GAP);
        assertThat(refused.expectedSegment()).isZero();
    }

    @ParameterizedTest
    @MethodSource("adapters")
    void anotherWriterFirstIsACheckpointConflictNamingTheNextOne(InferenceClient client) {
        String tenant = tenant();
        client.process(tenant, segment("doc", 0, "Call me Ishmael.")).block(Duration.ofSeconds(60));
        client.process(tenant, segment("doc", 1, " Some years ago.")).block(Duration.ofSeconds(60));
        ServiceCallException refused = refusal(client.process(tenant, segment("doc", 1, " Other words here.")).then(),
                ProblemType.CHECKPOINT_CONFLICT);
        assertThat(refused.expectedSegment()).isEqualTo(2);
    }

    @ParameterizedTest
    @MethodSource("adapters")
    void anotherModelsDocumentIsAStateMismatch(InferenceClient client) {
        String tenant = tenant();
        client.process(tenant, segment("doc", 0, "Call me Ishmael.")).block(Duration.ofSeconds(60));
        long[] ids = tokens(" Some years ago.");
        refusal(client.process(tenant, new SegmentRequest("doc", 1L, "transformer_xl-tiny", ids, List.of(), null)).then(),
                ProblemType.STATE_MISMATCH);
    }

    @ParameterizedTest
    @MethodSource("adapters")
    void badSegmentsAreRefusedEachByItsRule(InferenceClient client) {
        String tenant = tenant();
        refusal(client.process(tenant, new SegmentRequest("doc", 0L, "no-such-model", tokens("x"), List.of(), null))
                .then(), ProblemType.UNKNOWN_MODEL);
        refusal(client.process(tenant, new SegmentRequest("doc", 0L, MODEL, new long[0], List.of(), null)).then(),
                ProblemType.EMPTY_SEGMENT);
        long[] tooLong = new long[301];
        Arrays.fill(tooLong, 65);
        refusal(client.process(tenant, new SegmentRequest("doc", 0L, MODEL, tooLong, List.of(), null)).then(),
                ProblemType.SEGMENT_TOO_LONG);
        refusal(client.process(tenant, new SegmentRequest("doc", 0L, MODEL, new long[] {65, 1_000_000}, List.of(), null))
                .then(), ProblemType.TOKEN_OUT_OF_VOCABULARY);
        refusal(client.process(tenant, new SegmentRequest("doc", 0L, MODEL, tokens("abc"), List.of(new int[] {2, 1}),
                null)).then(), ProblemType.INVALID_SENTENCE_SPAN);
        ServiceCallException invalid = refusal(client.process(tenant, new SegmentRequest("no spaces allowed", 0L, MODEL,
                tokens("abc"), List.of(), null)).then(), ProblemType.INVALID_REQUEST);
        assertThat(invalid.properties().get("errors")).asList().singleElement().asString().contains("document");
    }

    @ParameterizedTest
    @MethodSource("adapters")
    void aPromptLongerThanASegmentIsRefusedBeforeItRuns(InferenceClient client) {
        String tenant = tenant();
        client.process(tenant, segment("doc", 0, "Call me Ishmael.")).block(Duration.ofSeconds(60));
        long[] prompt = new long[301];
        Arrays.fill(prompt, 65);
        ServiceCallException refused = refusal(client.generate(tenant, new GenerateRequest("doc", null, MODEL, prompt,
                2, null, null, null, null)).then(), ProblemType.SEGMENT_TOO_LONG);
        assertThat(refused.getMessage()).contains("301", "300");
    }

    @ParameterizedTest
    @MethodSource("adapters")
    void generatingFromNothingIsCheckpointNotFound(InferenceClient client) {
        refusal(client.generate(tenant(), new GenerateRequest("nothing", null, MODEL, tokens("x"), 2, null, null, null,
                null)).then(), ProblemType.CHECKPOINT_NOT_FOUND);
    }

    @ParameterizedTest
    @MethodSource("adapters")
    void aTenantOverItsQuotaGetsTheMemoryServicesRefusal(InferenceClient client) {
        String tenant = tenant();
        ServiceCallException refused = null;
        for (int i = 0; i < 10 && refused == null; i++) {
            try {
                client.process(tenant, segment("doc-" + i, 0, "Call me Ishmael.")).block(Duration.ofSeconds(60));
            } catch (ServiceCallException e) {
                refused = e;
            }
        }
        assertThat(refused).as("ten documents never reached a quota of " + QUOTA + " bytes").isNotNull();
        assertThat(refused.type()).isEqualTo(ProblemType.QUOTA_EXCEEDED);
        assertThat(refused.status()).isEqualTo(507);
        assertThat(((Number) refused.properties().get("quota")).longValue()).isEqualTo(QUOTA);
    }

    /** Both adapters of the inference service {@code server}. */
    static Stream<InferenceClient> adaptersOf(SpringServer server) {
        return Stream.of(new HttpInferenceClient(WebClient.builder(), new ClientSettings(server.baseUrl(),
                        Duration.ofSeconds(60), 0, Duration.ofMillis(20), null, null, null)),
                new InProcessInferenceClient(server.bean(SegmentService.class), server.bean(GenerationService.class),
                        server.bean(Validator.class)));
    }

    @org.junit.jupiter.api.Test
    void aMemoryServiceThatIsDownIsMemoryUnavailableThroughBothAdapters() {
        adaptersOf(memoryDown).forEach(client -> {
            ServiceCallException refused = refusal(client.process(tenant(), segment("doc", 0, "Call me Ishmael.")).then(),
                    ProblemType.MEMORY_UNAVAILABLE);
            assertThat(refused.type().retryable()).isTrue();
        });
    }

    @org.junit.jupiter.api.Test
    void aMemoryServiceAnsweringOutsideTheCatalogueIsMemoryRejectedThroughBothAdapters() {
        adaptersOf(memoryStranger).forEach(client -> refusal(client.process(tenant(),
                segment("doc", 0, "Call me Ishmael.")).then(), ProblemType.MEMORY_REJECTED));
    }
}
