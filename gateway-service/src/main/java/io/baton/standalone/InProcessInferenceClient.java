package io.baton.standalone;

import io.baton.gateway.inference.InferenceClient;
import io.baton.gateway.inference.InferenceRejectedException;
import io.baton.gateway.inference.SegmentConflictException;
import io.baton.inference.InferenceException;
import io.baton.inference.generation.GenerateRequest;
import io.baton.inference.generation.GeneratedToken;
import io.baton.inference.generation.GenerationService;
import io.baton.inference.segments.SegmentRequest;
import io.baton.inference.segments.SegmentResponse;
import io.baton.inference.segments.SegmentService;
import io.baton.inference.state.SegmentOrderException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The gateway's {@link InferenceClient} served by the inference code in the same JVM ({@link
 * SegmentService}, {@link GenerationService}): the same checks, batching and compare-and-set as over HTTP, without the
 * network. Inference's refusals map onto the client's contract exactly as {@code
 * HttpInferenceClient} maps their problem details.
 */
public final class InProcessInferenceClient implements InferenceClient {

    private final SegmentService segments;
    private final GenerationService generation;

    public InProcessInferenceClient(SegmentService segments, GenerationService generation) {
        this.segments = segments;
        this.generation = generation;
    }

    @Override
    public Mono<SegmentResponse> process(String tenant, SegmentRequest request) {
        return segments.process(tenant, request).onErrorMap(InferenceException.class, InProcessInferenceClient::map);
    }

    @Override
    public Flux<GeneratedToken> generate(String tenant, GenerateRequest request) {
        return generation.generate(tenant, request).flatMapMany(GenerationService.Generation::tokens)
                .onErrorMap(InferenceException.class, InProcessInferenceClient::map);
    }

    private static RuntimeException map(InferenceException e) {
        if (e instanceof SegmentOrderException order) {
            return new SegmentConflictException(order.type(), order.getMessage(), order.expected());
        }
        return new InferenceRejectedException(e.status(), e.type(), e.getMessage(), e.properties());
    }
}
