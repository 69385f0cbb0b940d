package io.baton.standalone;

import io.baton.inference.generation.GenerationService;
import io.baton.inference.segments.SegmentService;
import io.baton.protocol.BatonException;
import io.baton.protocol.ServiceCallException;
import io.baton.protocol.inference.GenerateRequest;
import io.baton.protocol.inference.GeneratedToken;
import io.baton.protocol.inference.InferenceClient;
import io.baton.protocol.inference.SegmentRequest;
import io.baton.protocol.inference.SegmentResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The gateway's {@link InferenceClient} served by the inference code in the same JVM ({@link
 * SegmentService}, {@link GenerationService}): the same checks, batching and compare-and-set as
 * over HTTP, without the network. A failure inference reports reaches the gateway as the {@link
 * ServiceCallException} of the same problem type the HTTP adapter reads off its answer.
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
        return segments.process(tenant, request).onErrorMap(BatonException.class, ServiceCallException::of);
    }

    @Override
    public Flux<GeneratedToken> generate(String tenant, GenerateRequest request) {
        return generation.generate(tenant, request).flatMapMany(GenerationService.Generation::tokens)
                .onErrorMap(BatonException.class, ServiceCallException::of);
    }
}
