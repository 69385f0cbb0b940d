package io.baton.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.gateway.GatewayProperties;
import io.baton.gateway.documents.DocumentLeases;
import io.baton.gateway.documents.DocumentService;
import io.baton.gateway.documents.GenerationEvent;
import io.baton.gateway.documents.IngestRequest;
import io.baton.gateway.documents.PromptRequest;
import io.baton.gateway.pipeline.DocumentGate;
import io.baton.gateway.pipeline.DocumentPipeline;
import io.baton.gateway.segmenting.ModelTokenizers;
import io.baton.gateway.summarize.SummaryEvent;
import io.baton.gateway.summarize.SummaryRequest;
import io.baton.gateway.summarize.SummaryService;
import io.baton.protocol.inference.GenerateRequest;
import io.baton.protocol.inference.GeneratedToken;
import io.baton.protocol.inference.InferenceClient;
import io.baton.protocol.inference.SegmentRequest;
import io.baton.protocol.inference.SegmentResponse;
import io.baton.protocol.memory.KeptCheckpoint;
import io.baton.protocol.memory.MemoryClient;
import io.baton.protocol.memory.StoredHead;
import io.baton.protocol.memory.Written;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.resources.LoopResources;

/**
 * CPU-heavy work of summaries and generations never runs on a Netty event loop. In distributed
 * mode the answers of inference and memory arrive on Reactor Netty's event loops; here the real
 * in-process clients' answers are handed on on a real Reactor Netty event loop, as the HTTP
 * clients hand them on, and the request is subscribed there too. Where the work ran shows in the
 * thread that emits its result (the extractive summary) or that calls inference with the
 * tokenised prompt (abstractive summaries, generations).
 */
class EventLoopWorkTest {

    static LoopResources loops;
    static Scheduler eventLoop;

    @BeforeAll
    static void start() {
        loops = LoopResources.create("reactor-http", 1, true);
        eventLoop = Schedulers.fromExecutor(loops.onServer(false).next());
    }

    @AfterAll
    static void stop() {
        eventLoop.dispose();
        loops.dispose();
    }

    /** Whether the current thread is an event loop of Reactor Netty (it is marked non-blocking). */
    static boolean onEventLoop() {
        return Schedulers.isInNonBlockingThread() && Thread.currentThread().getName().startsWith("reactor-http");
    }

    @Test
    void theEventLoopOfTheseTestsIsOneThatMustNotBlock() {
        Boolean marked = Mono.fromCallable(EventLoopWorkTest::onEventLoop).subscribeOn(eventLoop)
                .block(Duration.ofSeconds(10));
        assertThat(marked).isTrue();
    }

    @Test
    void extractiveSelectionRunsOffTheEventLoopThatDeliveredTheLastSegment() {
        OnEventLoop inference = new OnEventLoop(bean(InferenceClient.class));
        SummaryService summaries = summaries(inference);
        Set<Boolean> doneOnEventLoop = ConcurrentHashMap.newKeySet();
        List<SummaryEvent> events = Flux.defer(() -> summaries.summarize("tenant-loop",
                        new SummaryRequest(Standalone.mobyDick(10_000, 3_000), null, null, 3, null)))
                .subscribeOn(eventLoop)
                .doOnNext(event -> {
                    if (event instanceof SummaryEvent.Done) {
                        doneOnEventLoop.add(onEventLoop());
                    }
                })
                .collectList().block(Duration.ofMinutes(2));
        assertThat(events.get(events.size() - 1)).isInstanceOf(SummaryEvent.Done.class);
        assertThat(inference.answeredOnEventLoop).containsExactly(true);
        assertThat(doneOnEventLoop).containsExactly(false);
    }

    @Test
    void anAbstractiveSummarysPromptIsTokenisedOffTheEventLoop() {
        OnEventLoop inference = new OnEventLoop(bean(InferenceClient.class));
        List<SummaryEvent> events = Flux.defer(() -> summaries(inference).summarize("tenant-loop",
                        new SummaryRequest(Standalone.mobyDick(20_000, 1_500), null, SummaryRequest.ABSTRACTIVE, 1, null)))
                .subscribeOn(eventLoop)
                .collectList().block(Duration.ofMinutes(2));
        assertThat(events.get(events.size() - 1)).isInstanceOf(SummaryEvent.Done.class);
        assertThat(inference.answeredOnEventLoop).containsExactly(true);
        assertThat(inference.generateCalledOnEventLoop).containsExactly(false);
    }

    @Test
    void aGenerationsPromptIsTokenisedOffTheEventLoopThatDeliveredTheHead() {
        OnEventLoop inference = new OnEventLoop(bean(InferenceClient.class));
        OnEventLoopMemory memory = new OnEventLoopMemory(bean(MemoryClient.class));
        DocumentService documents = new DocumentService(new DocumentPipeline(inference, new DocumentGate(2, 100, Duration.ofMinutes(5))),
                bean(ModelTokenizers.class), inference, memory, new DocumentLeases(), bean(GatewayProperties.class));
        String id = "loop-" + System.nanoTime();
        documents.ingest("tenant-loop", new IngestRequest(Standalone.mobyDick(30_000, 1_000), null, id))
                .block(Duration.ofMinutes(2));
        List<GenerationEvent> events = Flux.defer(() -> documents.generate("tenant-loop", id,
                        new PromptRequest("Call me", 8, null, null, null)))
                .subscribeOn(eventLoop)
                .collectList().block(Duration.ofMinutes(2));
        assertThat(events.get(events.size() - 1)).isInstanceOf(GenerationEvent.Done.class);
        assertThat(memory.answeredOnEventLoop).containsExactly(true);
        assertThat(inference.generateCalledOnEventLoop).containsExactly(false);
        documents.delete("tenant-loop", id).block(Duration.ofSeconds(30));
    }

    private static SummaryService summaries(InferenceClient inference) {
        return new SummaryService(new DocumentPipeline(inference, new DocumentGate(2, 100, Duration.ofMinutes(5))), bean(ModelTokenizers.class),
                inference, bean(MemoryClient.class), bean(GatewayProperties.class));
    }

    private static <T> T bean(Class<T> type) {
        return Standalone.context().getBean(type);
    }

    /** The real inference client, its answers handed on on the event loop; notes where it was called and answered. */
    static final class OnEventLoop implements InferenceClient {

        private final InferenceClient delegate;
        final Set<Boolean> answeredOnEventLoop = ConcurrentHashMap.newKeySet();
        final Set<Boolean> generateCalledOnEventLoop = ConcurrentHashMap.newKeySet();

        OnEventLoop(InferenceClient delegate) {
            this.delegate = delegate;
        }

        @Override
        public Mono<SegmentResponse> process(String tenant, SegmentRequest request) {
            return delegate.process(tenant, request).publishOn(eventLoop)
                    .doOnNext(response -> answeredOnEventLoop.add(onEventLoop()));
        }

        @Override
        public Flux<GeneratedToken> generate(String tenant, GenerateRequest request) {
            generateCalledOnEventLoop.add(onEventLoop());
            return delegate.generate(tenant, request).publishOn(eventLoop);
        }
    }

    /** The real memory client, its answers handed on on the event loop. */
    static final class OnEventLoopMemory implements MemoryClient {

        private final MemoryClient delegate;
        final Set<Boolean> answeredOnEventLoop = ConcurrentHashMap.newKeySet();

        OnEventLoopMemory(MemoryClient delegate) {
            this.delegate = delegate;
        }

        @Override
        public Mono<byte[]> checkpoint(String tenant, String document, long segment) {
            return delegate.checkpoint(tenant, document, segment).publishOn(eventLoop);
        }

        @Override
        public Mono<StoredHead> head(String tenant, String document) {
            return delegate.head(tenant, document).publishOn(eventLoop)
                    .doOnNext(head -> answeredOnEventLoop.add(onEventLoop()));
        }

        @Override
        public Mono<Written> put(String tenant, String document, long segment, byte[] container, String parentDigest,
                                 Duration parentWait) {
            return delegate.put(tenant, document, segment, container, parentDigest, parentWait).publishOn(eventLoop);
        }

        @Override
        public Mono<Boolean> delete(String tenant, String document) {
            return delegate.delete(tenant, document).publishOn(eventLoop);
        }

        @Override
        public Mono<KeptCheckpoint> kept(String tenant, String document, long segment) {
            return delegate.kept(tenant, document, segment).publishOn(eventLoop);
        }

        @Override
        public Mono<Boolean> delete(String tenant, String document, String headDigest) {
            return delegate.delete(tenant, document, headDigest).publishOn(eventLoop);
        }
    }
}
