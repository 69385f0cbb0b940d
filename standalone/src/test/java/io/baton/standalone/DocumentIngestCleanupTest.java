package io.baton.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.gateway.GatewayProperties;
import io.baton.gateway.documents.DocumentLeases;
import io.baton.gateway.documents.DocumentService;
import io.baton.gateway.documents.DocumentView;
import io.baton.gateway.documents.IngestRequest;
import io.baton.gateway.pipeline.DocumentGate;
import io.baton.gateway.pipeline.DocumentPipeline;
import io.baton.gateway.segmenting.ModelTokenizers;
import io.baton.memory.store.CheckpointStore;
import io.baton.memory.store.DocumentKey;
import io.baton.memory.store.Head;
import io.baton.protocol.inference.GenerateRequest;
import io.baton.protocol.inference.GeneratedToken;
import io.baton.protocol.inference.InferenceClient;
import io.baton.protocol.inference.SegmentRequest;
import io.baton.protocol.inference.SegmentResponse;
import io.baton.protocol.memory.MemoryClient;
import io.baton.protocol.problems.ProblemType;
import io.baton.protocol.problems.ServiceCallException;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What a failed ingest deletes, with two gateways' document services on one real platform
 * (standalone: gemma2-tiny, the in-process inference and in-memory store): the application's own
 * ("the other gateway", with its own leases) and one whose inference fails at a chosen segment,
 * after letting another writer act on the document. A failed ingest deletes its own segments, but
 * never a document another writer stored under the same id meanwhile, and an ingest that stored
 * nothing deletes nothing.
 */
class DocumentIngestCleanupTest {

    static final String TENANT = "local";
    static final String MODEL = "gemma2-tiny";
    /** Several segments of 256 tokens: the failing ingest stores a few before it fails. */
    static final String LONG = Standalone.mobyDick(150_000, 3_000);
    static final String OTHER = "Call me Ishmael. Some years ago, never mind how long precisely.";

    static DocumentService otherGateway;
    static MemoryClient memory;
    static CheckpointStore store;

    @BeforeAll
    static void start() {
        otherGateway = Standalone.context().getBean(DocumentService.class);
        memory = Standalone.context().getBean(MemoryClient.class);
        store = Standalone.context().getBean(CheckpointStore.class);
    }

    @Test
    void aFailedIngestDeletesTheSegmentsItStored() {
        String id = id("own");
        DocumentService failing = failingAt(2, document -> Mono.empty());

        assertThatThrownBy(() -> failing.ingest(TENANT, new IngestRequest(LONG, MODEL, id)).block(Duration.ofMinutes(2)))
                .isInstanceOf(ServiceCallException.class);

        assertThat(head(id)).as("all or nothing: its segments 0 and 1 are gone").isNull();
    }

    @Test
    void aFailedIngestAlsoDeletesWhatItsSegmentsStoredAfterTheLastAnswerItGot() {
        String id = id("lost-answer");
        // segment 2 is stored, then its answer is lost: the ingest knows segment 1's digest as its last, while
        // the head is 2 (and, pipelined, maybe 3), each naming its parent's digest
        InferenceClient real = Standalone.context().getBean(InferenceClient.class);
        DocumentService failing = withInference(new InferenceClient() {
            @Override
            public Mono<SegmentResponse> process(String tenant, SegmentRequest request) {
                return request.segment() != 2 ? real.process(tenant, request) : real.process(tenant, request)
                        .then(Mono.error(new ServiceCallException(ProblemType.INFERENCE_UNAVAILABLE,
                                "the answer was lost after segment 2 was stored (injected by the test)")));
            }

            @Override
            public Flux<GeneratedToken> generate(String tenant, GenerateRequest request) {
                return real.generate(tenant, request);
            }
        });

        assertThatThrownBy(() -> failing.ingest(TENANT, new IngestRequest(LONG, MODEL, id)).block(Duration.ofMinutes(2)))
                .isInstanceOf(ServiceCallException.class);

        assertThat(head(id)).as("all or nothing: segments 0 and 1, and those stored on top of 1, are gone").isNull();
    }

    @Test
    void aFailedIngestLeavesADocumentAnotherWriterStoredAfterItsOwnAlone() {
        String id = id("replaced");
        // while the ingest runs, the document is deleted through another gateway and ingested again
        DocumentService failing = failingAt(2, document -> memory.delete(TENANT, document)
                .then(otherGateway.ingest(TENANT, new IngestRequest(OTHER, MODEL, document))).then());

        assertThatThrownBy(() -> failing.ingest(TENANT, new IngestRequest(LONG, MODEL, id)).block(Duration.ofMinutes(2)))
                .isInstanceOf(ServiceCallException.class);

        DocumentView winner = otherGateway.get(TENANT, id).block(Duration.ofSeconds(30));
        assertThat(winner.segment()).isZero();
        assertThat(head(id)).as("the other writer's document").isNotNull()
                .extracting(Head::segment, Head::tokens).containsExactly(0L, winner.tokens());
    }

    @Test
    void anIngestThatStoredNothingDeletesNothing() {
        String id = id("nothing");
        // the other writer's ingest of the same id lands before the first segment of this one fails
        DocumentService failing = failingAt(0, document -> otherGateway.ingest(TENANT,
                new IngestRequest(OTHER, MODEL, document)).then());

        assertThatThrownBy(() -> failing.ingest(TENANT, new IngestRequest(LONG, MODEL, id)).block(Duration.ofMinutes(2)))
                .isInstanceOf(ServiceCallException.class);

        assertThat(head(id)).as("the other writer's document").isNotNull()
                .extracting(Head::segment).isEqualTo(0L);
        assertThat(otherGateway.get(TENANT, id).block(Duration.ofSeconds(30)).tokens()).isEqualTo(head(id).tokens());
    }

    /**
     * A documents service of its own (leases, gate, pipeline) whose inference runs {@code meanwhile}
     * on the document and then fails as an unreachable inference service does, when asked for
     * segment {@code failAt}; every other segment goes to the platform's real inference.
     */
    static DocumentService failingAt(long failAt, Function<String, Mono<Void>> meanwhile) {
        InferenceClient real = Standalone.context().getBean(InferenceClient.class);
        InferenceClient failing = new InferenceClient() {
            @Override
            public Mono<SegmentResponse> process(String tenant, SegmentRequest request) {
                if (request.segment() != failAt) {
                    return real.process(tenant, request);
                }
                return meanwhile.apply(request.document()).then(Mono.error(new ServiceCallException(
                        ProblemType.INFERENCE_UNAVAILABLE, "inference went away (injected by the test)")));
            }

            @Override
            public Flux<GeneratedToken> generate(String tenant, GenerateRequest request) {
                return real.generate(tenant, request);
            }
        };
        return withInference(failing);
    }

    /** A documents service of its own (leases, gate, pipeline) over {@code inference}. */
    static DocumentService withInference(InferenceClient inference) {
        return new DocumentService(new DocumentPipeline(inference, new DocumentGate(2, 100, Duration.ofMinutes(5))),
                Standalone.context().getBean(ModelTokenizers.class), inference, memory, new DocumentLeases(),
                Standalone.context().getBean(GatewayProperties.class));
    }

    static Head head(String id) {
        return store.head(new DocumentKey(TENANT, id)).block(Duration.ofSeconds(10));
    }

    static String id(String name) {
        return name + "-" + UUID.randomUUID();
    }
}
