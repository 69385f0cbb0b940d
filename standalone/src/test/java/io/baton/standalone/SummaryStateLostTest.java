package io.baton.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.baton.gateway.GatewayProperties;
import io.baton.gateway.pipeline.DocumentGate;
import io.baton.gateway.pipeline.DocumentPipeline;
import io.baton.gateway.pipeline.StateLostException;
import io.baton.gateway.segmenting.ModelTokenizers;
import io.baton.gateway.summarize.SummaryEvent;
import io.baton.gateway.summarize.SummaryRequest;
import io.baton.gateway.summarize.SummaryResponse;
import io.baton.gateway.summarize.SummaryService;
import io.baton.memory.checkpoints.CheckpointService;
import io.baton.memory.store.DocumentKey;
import io.baton.protocol.inference.GenerateRequest;
import io.baton.protocol.inference.GeneratedToken;
import io.baton.protocol.inference.InferenceClient;
import io.baton.protocol.inference.SegmentRequest;
import io.baton.protocol.inference.SegmentResponse;
import io.baton.protocol.memory.MemoryClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A summary whose temporary document the store loses mid-run (as a Redis restart without
 * persistence, or a failover that lost acknowledged writes, does) starts over once on a new
 * document and answers the summary it would have answered undisturbed; lost twice, it fails with
 * 503 {@code state-lost}. The real in-process inference and the in-memory store; the loss is the
 * store deleting the document after its segment 2 was stored and answered.
 */
class SummaryStateLostTest {

    private static final String TENANT = "summary-lost";
    private static final String TEXT = Standalone.mobyDick(60_000, 8_000);

    /** Passes calls on, noting each document's calls; loses the first {@code losses} documents after their segment 2. */
    static final class Losing implements InferenceClient {

        private final InferenceClient real = Standalone.context().getBean(InferenceClient.class);
        private final CheckpointService checkpoints = Standalone.context().getBean(CheckpointService.class);
        private final int losses;
        final Set<String> documents = Collections.synchronizedSet(new LinkedHashSet<>());
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        Losing(int losses) {
            this.losses = losses;
        }

        @Override
        public Mono<SegmentResponse> process(String tenant, SegmentRequest request) {
            documents.add(request.document());
            calls.add(request.document() + "#" + request.segment());
            boolean lose = request.segment() == 2 && List.copyOf(documents).indexOf(request.document()) < losses;
            Mono<SegmentResponse> answer = real.process(tenant, request);
            return !lose ? answer : answer.flatMap(response -> checkpoints
                    .delete(new DocumentKey(tenant, request.document())).thenReturn(response));
        }

        @Override
        public Flux<GeneratedToken> generate(String tenant, GenerateRequest request) {
            return real.generate(tenant, request);
        }
    }

    private static SummaryService summaries(InferenceClient inference, SimpleMeterRegistry registry) {
        return new SummaryService(new DocumentPipeline(inference, new DocumentGate(2, 100, Duration.ofMinutes(5))),
                bean(ModelTokenizers.class), inference, bean(MemoryClient.class), bean(GatewayProperties.class), registry);
    }

    private static SummaryResponse summary(SummaryService service) {
        List<SummaryEvent> events = service.summarize(TENANT, new SummaryRequest(TEXT, null, null, 4, null))
                .collectList().block(Duration.ofMinutes(3));
        return ((SummaryEvent.Done) events.get(events.size() - 1)).summary();
    }

    @Test
    void aSummaryWhoseStateTheStoreLostStartsOverOnceAndAnswersAsUndisturbed() {
        SummaryResponse undisturbed = summary(summaries(new Losing(0), new SimpleMeterRegistry()));
        Losing losing = new Losing(1);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();

        SummaryResponse restarted = summary(summaries(losing, registry));

        assertThat(restarted.summary()).isEqualTo(undisturbed.summary());
        assertThat(restarted.sentences()).isEqualTo(undisturbed.sentences());
        List<String> documents = List.copyOf(losing.documents);
        assertThat(documents).as("a second temporary document").hasSize(2);
        assertThat(losing.calls).as("the first document got as far as segment 3, refused")
                .filteredOn(call -> call.startsWith(documents.get(0)))
                .containsExactly(documents.get(0) + "#0", documents.get(0) + "#1", documents.get(0) + "#2",
                        documents.get(0) + "#3");
        assertThat(losing.calls).filteredOn(call -> call.startsWith(documents.get(1)))
                .hasSize((int) undisturbed.stats().segments());
        assertThat(registry.get("baton.summaries.restarts").counter().count()).isEqualTo(1.0);
    }

    @Test
    void aSummaryLostTwiceFailsAsStateLost() {
        Losing losing = new Losing(2);
        Throwable failure = catchThrowable(() -> summary(summaries(losing, new SimpleMeterRegistry())));

        assertThat(failure).isInstanceOf(StateLostException.class);
        assertThat(((StateLostException) failure).status()).isEqualTo(503);
        assertThat(losing.documents).as("started over once, not again").hasSize(2);
    }

    private static <T> T bean(Class<T> type) {
        return Standalone.context().getBean(type);
    }
}
