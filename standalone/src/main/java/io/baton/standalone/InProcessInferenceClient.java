package io.baton.standalone;

import io.baton.inference.generation.GenerationService;
import io.baton.inference.segments.SegmentService;
import io.baton.protocol.problems.BatonException;
import io.baton.protocol.problems.ServiceCallException;
import io.baton.protocol.inference.GenerateRequest;
import io.baton.protocol.inference.GeneratedToken;
import io.baton.protocol.inference.InferenceClient;
import io.baton.protocol.inference.SegmentRequest;
import io.baton.protocol.inference.SegmentResponse;
import io.baton.protocol.problems.ProblemType;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The gateway's {@link InferenceClient} served by the inference code in the same JVM ({@link
 * SegmentService}, {@link GenerationService}): the same checks, batching and compare-and-set as
 * over HTTP, without the network. A request is validated as inference's controllers validate it
 * (Bean Validation; {@code invalid-request} with {@code errors}), and a failure inference reports
 * reaches the gateway as the {@link ServiceCallException} of the same problem type the HTTP
 * adapter reads off its answer ({@code InferenceClientContractIT}).
 */
public final class InProcessInferenceClient implements InferenceClient {

    private final SegmentService segments;
    private final GenerationService generation;
    private final Validator validator;

    public InProcessInferenceClient(SegmentService segments, GenerationService generation, Validator validator) {
        this.segments = segments;
        this.generation = generation;
        this.validator = validator;
    }

    @Override
    public Mono<SegmentResponse> process(String tenant, SegmentRequest request) {
        return Mono.defer(() -> segments.process(tenant, valid(request)))
                .onErrorMap(BatonException.class, ServiceCallException::of);
    }

    @Override
    public Flux<GeneratedToken> generate(String tenant, GenerateRequest request) {
        return Mono.defer(() -> generation.generate(tenant, valid(request)))
                .flatMapMany(GenerationService.Generation::tokens)
                .onErrorMap(BatonException.class, ServiceCallException::of);
    }

    /** {@code request}, if Bean Validation finds nothing wrong with it; else the refusal inference answers. */
    private <T> T valid(T request) {
        Set<ConstraintViolation<T>> violations = validator.validate(request);
        if (violations.isEmpty()) {
            return request;
        }
        List<Map<String, String>> errors = violations.stream()
                .sorted(Comparator.comparing(v -> v.getPropertyPath().toString()))
                .map(v -> Map.of("field", v.getPropertyPath().toString(), "message", v.getMessage()))
                .toList();
        throw new ServiceCallException(ProblemType.INVALID_REQUEST, "Invalid request content.", Map.of("errors", errors),
                null);
    }
}
