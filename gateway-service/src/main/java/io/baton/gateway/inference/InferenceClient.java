package io.baton.gateway.inference;

import io.baton.inference.generation.GenerateRequest;
import io.baton.inference.generation.GeneratedToken;
import io.baton.inference.segments.SegmentRequest;
import io.baton.inference.segments.SegmentResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The inference service as the gateway uses it.
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
     *     stored; fails with {@link SegmentConflictException} when the document is not at {@code
     *     request.segment() - 1}, with {@link InferenceRejectedException} for any other refusal,
     *     and with {@link InferenceUnavailableException} when inference cannot be reached
     */
    Mono<SegmentResponse> process(String tenant, SegmentRequest request);

    /**
     * Generates from a stored checkpoint of a document ({@code request.segment()}, or its head):
     * runs the prompt, then streams up to {@code request.maxTokens()} new tokens. Nothing is
     * stored; the document's head does not move.
     *
     * @return the new tokens in order; fails before the first token with {@link
     *     InferenceRejectedException} (e.g. 404 {@code checkpoint-not-found}, {@code
     *     unknown-model}) or {@link InferenceUnavailableException}
     */
    Flux<GeneratedToken> generate(String tenant, GenerateRequest request);
}
