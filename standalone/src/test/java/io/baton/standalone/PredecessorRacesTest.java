package io.baton.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.gateway.segmenting.ModelTokenizers;
import io.baton.inference.admission.Admission;
import io.baton.inference.models.ModelRegistry;
import io.baton.inference.segments.SegmentBatcher;
import io.baton.inference.segments.SegmentMetrics;
import io.baton.inference.segments.SegmentService;
import io.baton.inference.state.StateCache;
import io.baton.memory.MemoryProperties;
import io.baton.memory.checkpoints.CheckpointService;
import io.baton.memory.encoding.Compression;
import io.baton.memory.encoding.Downcast;
import io.baton.memory.encoding.EncodingExecutor;
import io.baton.memory.encoding.StateEncoding;
import io.baton.memory.store.CheckpointStore;
import io.baton.protocol.inference.SegmentRequest;
import io.baton.protocol.inference.SegmentResponse;
import io.baton.protocol.memory.KeptCheckpoint;
import io.baton.protocol.memory.MemoryClient;
import io.baton.protocol.memory.StoredHead;
import io.baton.protocol.memory.Written;
import io.baton.protocol.problems.ProblemType;
import io.baton.protocol.problems.ServiceCallException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Segment n whose predecessor n-1 finishes while n looks for where to start, each interleaving
 * forced at the moment it matters: the real segment pipeline ({@link SegmentService}, over the
 * standalone application's models, batcher and in-memory store), whose memory client is the real
 * one with something run at a chosen moment ({@link Interleaved}). Before n watched for n-1 while
 * it looked ({@code InFlight.Watch}), the first two read n-1 back from the store (the first after
 * waiting the whole pipeline wait for a segment that had already run); before the gap refusal
 * read the store again when the head named n itself, the third refused n as a gap naming n,
 * which the gateway answers with 409 document-behind. And a follower's put ahead of its
 * predecessor's answer that is refused (its wait ran out; the memory service does not store
 * checkpoints as sent, so the digest it names is no checkpoint's): it is put again after that
 * answer, and in the second case this instance stops putting ahead. And a document with as many puts
 * ahead unanswered as allowed ({@code baton.segments.max-puts-ahead}): its next follower puts after
 * its predecessor's answer.
 */
class PredecessorRacesTest {

    static final String MODEL = Standalone.FIXTURE_MODEL;
    static final String TENANT = "predecessor-races";

    static long[] tokens;
    static EncodingExecutor encoding;

    @AfterAll
    static void stop() {
        if (encoding != null) {
            encoding.close();
        }
    }

    @BeforeAll
    static void start() {
        encoding = new EncodingExecutor(1);
        tokens = Standalone.context().getBean(ModelTokenizers.class).tokenizer(MODEL)
                .encode(Standalone.mobyDick(240_000, 600)).ids();
    }

    @Test
    void aPredecessorThatRanHereWhileTheStoreWasAskedIsContinuedFromAndNotWaitedFor() {
        Interleaved memory = new Interleaved(Standalone.context().getBean(MemoryClient.class));
        StateCache cache = new StateCache(64L << 20, Duration.ofMinutes(10));
        // a pipeline wait longer than the test may take: segment 2 must not wait for 1 once 1 has run
        SegmentService service = service(memory, cache, Duration.ofMinutes(10));
        String document = "ran-meanwhile";
        service.process(TENANT, segment(document, 0)).block(Duration.ofMinutes(1));
        // Segment 2 asks the store for checkpoint 1, which is not there; before the answer comes,
        // segment 1 runs here (from the state kept after 0), is stored, keeps its state, and leaves
        // the in-flight set (its last step, just after its answer: the delay lets it take it).
        memory.afterMissOf(document, 1,
                service.process(TENANT, segment(document, 1)).then(Mono.delay(Duration.ofMillis(200))));
        long hits = cache.hits();
        double followed = followed();

        SegmentResponse two = service.process(TENANT, segment(document, 2)).block(Duration.ofMinutes(1));

        // segment 1 continues from the state kept after 0; segment 2 follows 1 or continues from its kept state
        assertThat(cache.hits() - hits + (followed() - followed)).as("segments continued from a state of this instance")
                .isEqualTo(2);
        assertThat(memory.keptReads(document)).as("checkpoints read back from the store").isZero();
        assertThat(two.tokenNll()).isEqualTo(alone("ran-meanwhile-alone", 2).tokenNll());
    }

    @Test
    void aPredecessorThatRanHereAndWasStoredBeforeTheStoreAnsweredIsFollowedNotReadBack() {
        Interleaved memory = new Interleaved(Standalone.context().getBean(MemoryClient.class));
        StateCache cache = new StateCache(64L << 20, Duration.ofMinutes(10));
        SegmentService service = service(memory, cache, Duration.ofMinutes(10));
        String document = "stored-meanwhile";
        service.process(TENANT, segment(document, 0)).block(Duration.ofMinutes(1));
        // Segment 2 asks the store for checkpoint 1; before the store looks, segment 1 runs here and
        // is stored: the store answers with it, but segment 2 goes on from the state 1 ran to here.
        memory.beforeKept(document, 1, service.process(TENANT, segment(document, 1)));
        long hits = cache.hits();
        double followed = followed();

        SegmentResponse two = service.process(TENANT, segment(document, 2)).block(Duration.ofMinutes(1));

        assertThat(cache.hits() - hits + (followed() - followed)).as("segments continued from a state of this instance")
                .isEqualTo(2);
        assertThat(two.tokenNll()).isEqualTo(alone("stored-meanwhile-alone", 2).tokenNll());
    }

    @Test
    void aPredecessorStoredAfterTheWaitIsReadAndNotRefusedAsAGapNamingTheSegmentItself() {
        Interleaved memory = new Interleaved(Standalone.context().getBean(MemoryClient.class));
        SegmentService service = service(memory, new StateCache(64L << 20, Duration.ofMinutes(10)),
                Duration.ofMillis(100));
        // another instance of inference, sharing the store: segment 1 runs there
        SegmentService other = service(Standalone.context().getBean(MemoryClient.class),
                new StateCache(64L << 20, Duration.ofMinutes(10)), Duration.ofMillis(100));
        String document = "stored-after-the-wait";
        service.process(TENANT, segment(document, 0)).block(Duration.ofMinutes(1));
        // Segment 2 finds checkpoint 1 neither stored nor in flight here, waits for it in vain, finds
        // it not stored again; then, before the refusal reads the head, segment 1 is stored elsewhere.
        memory.beforeHead(document, other.process(TENANT, segment(document, 1)));

        SegmentResponse two = service.process(TENANT, segment(document, 2)).block(Duration.ofMinutes(1));

        assertThat(two.tokenNll()).isEqualTo(alone("stored-after-the-wait-alone", 2).tokenNll());
        StoredHead head = Standalone.context().getBean(MemoryClient.class).head(TENANT, document)
                .block(Duration.ofSeconds(30));
        assertThat(head.segment()).isEqualTo(2);
        assertThat(head.version()).as("each segment stored once").isEqualTo(3);
    }

    @Test
    void aPutAheadThatIsRefusedIsPutAgainOnceItsPredecessorIsAnswered() {
        Interleaved memory = new Interleaved(Standalone.context().getBean(MemoryClient.class));
        memory.refusePutsAhead();
        SegmentService service = service(memory, new StateCache(64L << 20, Duration.ofMinutes(10)),
                Duration.ofMinutes(10));
        String document = "ahead-refused";
        double followed = followed();
        double fellBack = putAhead("fell-back");

        List<SegmentResponse> answers = pipelined(service, document);

        assertThat(followed() - followed).as("segments that followed their predecessor").isGreaterThanOrEqualTo(1);
        assertThat(putAhead("fell-back") - fellBack).as("puts ahead refused and put again")
                .isEqualTo(followed() - followed);
        assertThat(answers.get(2).tokenNll()).isEqualTo(alone("ahead-refused-alone", 2).tokenNll());
        StoredHead head = Standalone.context().getBean(MemoryClient.class).head(TENANT, document)
                .block(Duration.ofSeconds(30));
        assertThat(head.segment()).isEqualTo(2);
        assertThat(head.version()).as("each segment stored once").isEqualTo(3);
    }

    @Test
    void aMemoryServiceThatDoesNotStoreAsSentTurnsPuttingAheadOff() {
        var context = Standalone.context();
        // the same store, through a memory service that compresses: a checkpoint's digest is not its bytes'
        CheckpointService compressing = new CheckpointService(context.getBean(CheckpointStore.class),
                new StateEncoding(Compression.ZSTD, 3, Downcast.NONE), encoding,
                context.getBean(MemoryProperties.class), context.getBean(MeterRegistry.class));
        SegmentService service = service(new InProcessMemoryClient(compressing),
                new StateCache(64L << 20, Duration.ofMinutes(10)), Duration.ofMinutes(10));
        double followed = followed();
        double fellBack = putAhead("fell-back");
        double stored = putAhead("stored");

        List<SegmentResponse> answers = pipelined(service, "compressed");

        assertThat(followed() - followed).as("segments that followed their predecessor").isGreaterThanOrEqualTo(1);
        assertThat(putAhead("fell-back") - fellBack).as("puts ahead naming the digest of the bytes sent")
                .isGreaterThanOrEqualTo(1);
        assertThat(putAhead("stored") - stored).as("puts ahead stored on a parent digest no checkpoint has").isZero();
        assertThat(answers.get(2).tokenNll()).isEqualTo(alone("compressed-alone", 2).tokenNll());
        // from then on this instance's followers wait for their predecessor's answer
        double tried = putAhead("fell-back") + putAhead("stored");
        followed = followed();
        pipelined(service, "compressed-after");
        assertThat(followed() - followed).as("segments that followed their predecessor").isGreaterThanOrEqualTo(1);
        assertThat(putAhead("fell-back") + putAhead("stored") - tried).as("puts ahead after the first miss").isZero();
    }

    @Test
    void aDocumentWithAsManyPutsAheadAsAllowedPutsItsNextFollowerAfterItsPredecessorsAnswer() {
        Interleaved memory = new Interleaved(Standalone.context().getBean(MemoryClient.class));
        SegmentService service = service(memory, new StateCache(64L << 20, Duration.ofMinutes(10)),
                Duration.ofMinutes(10), 1);
        String document = "ahead-limited";
        double followed = followed();
        double limited = putAhead("limited");
        // a put ahead is held until the next follower has decided: to put ahead too (the limit ignored), or to put
        // after its predecessor's answer (limited); or, were there no next follower, for 10 s
        memory.holdPutsAhead(Flux.interval(Duration.ofMillis(5))
                .filter(tick -> putAhead("limited") > limited || memory.putsAhead(document) > 1)
                .next().timeout(Duration.ofSeconds(10), Mono.just(0L)));

        List<SegmentResponse> answers = pipelined(service, document);

        assertThat(memory.putsAhead(document)).as("puts of the document that asked to wait for their parent")
                .isEqualTo(1);
        // both followed (the usual case: 1 ahead, 2 limited), or only 2 did (1 ran after 0 was answered)
        assertThat(putAhead("limited") - limited).as("followers not put ahead for the limit")
                .isEqualTo(followed() - followed - 1);
        assertThat(answers.get(2).tokenNll()).isEqualTo(alone("ahead-limited-alone", 2).tokenNll());
        StoredHead head = Standalone.context().getBean(MemoryClient.class).head(TENANT, document)
                .block(Duration.ofSeconds(30));
        assertThat(head.segment()).isEqualTo(2);
        assertThat(head.version()).as("each segment stored once").isEqualTo(3);
    }

    /** Segments 0, 1 and 2 of {@code document} sent at once: 1 and 2 follow their predecessors. */
    private static List<SegmentResponse> pipelined(SegmentService service, String document) {
        return Flux.range(0, 3).flatMapSequential(n -> service.process(TENANT, segment(document, n)), 3)
                .collectList().block(Duration.ofMinutes(1));
    }

    /** Followers' puts ahead by outcome ({@code baton.segment.put.ahead}). */
    private static double putAhead(String outcome) {
        return count("baton.segment.put.ahead", outcome);
    }

    /** Segments that ran from their predecessor in flight ({@code baton.segment.pipelined}, outcome followed). */
    private static double followed() {
        return count("baton.segment.pipelined", "followed");
    }

    /** The standalone context's counter {@code name} with tag {@code outcome}; 0 before its first count. */
    private static double count(String name, String outcome) {
        Counter counter = Standalone.context().getBean(MeterRegistry.class).find(name).tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    /** Segment {@code n} of {@code document} as the plain service gives it, segments 0..n one after another. */
    private static SegmentResponse alone(String document, long n) {
        SegmentService service = Standalone.context().getBean(SegmentService.class);
        SegmentResponse last = null;
        for (long i = 0; i <= n; i++) {
            last = service.process(TENANT, segment(document, i)).block(Duration.ofMinutes(1));
        }
        return last;
    }

    private static SegmentRequest segment(String document, long n) {
        int size = tokens.length / 3;
        return new SegmentRequest(document, n, MODEL, Arrays.copyOfRange(tokens, (int) n * size, (int) (n + 1) * size),
                List.of(), null);
    }

    private static SegmentService service(MemoryClient memory, StateCache cache, Duration pipelineWait) {
        return service(memory, cache, pipelineWait, 3);
    }

    /** The segment pipeline with puts ahead (waiting up to 1 s), at most {@code maxPutsAhead} per document. */
    private static SegmentService service(MemoryClient memory, StateCache cache, Duration pipelineWait,
                                          int maxPutsAhead) {
        var context = Standalone.context();
        return new SegmentService(context.getBean(ModelRegistry.class)::resolve, memory,
                context.getBean(SegmentBatcher.class), cache,
                new SegmentService.Limits(4096, 1024, 4, pipelineWait, Duration.ofSeconds(1), maxPutsAhead),
                new Admission("segments", 8), context.getBean(SegmentMetrics.class));
    }

    /**
     * The real memory client, with one thing run (and waited for) at a chosen moment: before a
     * kept-checkpoint lookup of a segment is made; when one found nothing, before that answer is
     * given; or before a head lookup is answered. Each runs once. Puts ahead (asking to wait for
     * their parent) are counted, and may be refused or held.
     */
    static final class Interleaved implements MemoryClient {

        private final MemoryClient real;
        private final AtomicReference<Moment> beforeKept = new AtomicReference<>();
        private final AtomicReference<Moment> afterMiss = new AtomicReference<>();
        private final AtomicReference<Moment> beforeHead = new AtomicReference<>();
        private final Map<String, Integer> keptReads = new ConcurrentHashMap<>();
        private final Map<String, Integer> putsAhead = new ConcurrentHashMap<>();
        private volatile boolean refusePutsAhead;
        private volatile Mono<?> holdPutsAhead = Mono.empty();

        private record Moment(String document, long segment, Mono<?> then) {
        }

        Interleaved(MemoryClient real) {
            this.real = real;
        }

        void beforeKept(String document, long segment, Mono<?> then) {
            beforeKept.set(new Moment(document, segment, then));
        }

        void afterMissOf(String document, long segment, Mono<?> then) {
            afterMiss.set(new Moment(document, segment, then));
        }

        void beforeHead(String document, Mono<?> then) {
            beforeHead.set(new Moment(document, -1, then));
        }

        /** Every put ahead (one asking to wait for its parent) is refused as not next, as if its wait ran out. */
        void refusePutsAhead() {
            refusePutsAhead = true;
        }

        /** Every put ahead waits for {@code release} before it is sent. */
        void holdPutsAhead(Mono<?> release) {
            holdPutsAhead = release;
        }

        /** Puts of {@code document} that asked to wait for their parent (puts ahead). */
        int putsAhead(String document) {
            return putsAhead.getOrDefault(document, 0);
        }

        /** Kept checkpoints of {@code document} this client read back from the store. */
        int keptReads(String document) {
            return keptReads.getOrDefault(document, 0);
        }

        private Mono<?> take(AtomicReference<Moment> moment, String document, long segment) {
            Moment now = moment.get();
            return now != null && now.document().equals(document) && now.segment() == segment
                    && moment.compareAndSet(now, null) ? now.then() : Mono.empty();
        }

        @Override
        public Mono<KeptCheckpoint> kept(String tenant, String document, long segment) {
            return Mono.defer(() -> take(beforeKept, document, segment))
                    .then(Mono.defer(() -> real.kept(tenant, document, segment)))
                    .doOnNext(found -> keptReads.merge(document, 1, Integer::sum))
                    .switchIfEmpty(Mono.defer(() -> take(afterMiss, document, segment).then(Mono.empty())));
        }

        @Override
        public Mono<StoredHead> head(String tenant, String document) {
            return Mono.defer(() -> take(beforeHead, document, -1)).then(Mono.defer(() -> real.head(tenant, document)));
        }

        @Override
        public Mono<byte[]> checkpoint(String tenant, String document, long segment) {
            return real.checkpoint(tenant, document, segment);
        }

        @Override
        public Mono<Written> put(String tenant, String document, long segment, byte[] container, String parentDigest,
                                 Duration parentWait) {
            if (parentWait.compareTo(Duration.ZERO) <= 0) {
                return real.put(tenant, document, segment, container, parentDigest, parentWait);
            }
            putsAhead.merge(document, 1, Integer::sum);
            if (refusePutsAhead) {
                return Mono.error(new ServiceCallException(ProblemType.CHECKPOINT_CONFLICT,
                        "checkpoint " + segment + " is not next (refused for the test)"));
            }
            return holdPutsAhead.then(Mono.defer(() -> real.put(tenant, document, segment, container, parentDigest,
                    parentWait)));
        }

        @Override
        public Mono<Boolean> delete(String tenant, String document) {
            return real.delete(tenant, document);
        }

        @Override
        public Mono<Boolean> delete(String tenant, String document, String headDigest) {
            return real.delete(tenant, document, headDigest);
        }
    }
}
