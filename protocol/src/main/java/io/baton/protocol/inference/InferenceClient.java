package io.baton.protocol.inference;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The inference service as the gateway uses it. Over HTTP in distributed mode ({@link
 * HttpInferenceClient}); in-process in standalone mode. Both fail the same way for the same
 * answer: with a {@link io.baton.protocol.problems.ServiceCallException} of inference's problem type (or
 * of the memory service's, passed on by inference), or {@code inference-unavailable} when
 * inference cannot be reached.
 *
 * <p>Processing segment n loads checkpoint n-1, runs the model and stores checkpoint n with
 * compare-and-set; sending the same segment again while n-1 is kept recomputes identical bytes,
 * which the memory service accepts as an idempotent repeat, so a retry is safe.
 */
public interface InferenceClient {

    /**
     * Processes one segment of a document for {@code tenant}.
     *
     * @return the segment's sentence vectors and token log-likelihoods, once its checkpoint is
     *     stored; fails with {@code segment-gap} or {@code checkpoint-conflict} (with {@code
     *     expectedSegment}) when the document is not at {@code request.segment() - 1}
     */
    Mono<SegmentResponse> process(String tenant, SegmentRequest request);

    /**
     * Generates from a stored checkpoint of a document ({@code request.segment()}, or its head):
     * runs the prompt, then streams up to {@code request.maxTokens()} new tokens. Nothing is
     * stored; the document's head does not move.
     *
     * @return the new tokens in order; fails before the first token with e.g. {@code
     *     checkpoint-not-found} or {@code unknown-model}, and with {@code inference-unavailable}
     *     when the stream breaks off
     */
    Flux<GeneratedToken> generate(String tenant, GenerateRequest request);
}
