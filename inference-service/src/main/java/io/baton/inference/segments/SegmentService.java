package io.baton.inference.segments;

import io.baton.inference.models.DocumentState;
import io.baton.inference.models.InvalidSegmentException;
import io.baton.inference.models.InvalidSegmentException.Reason;
import io.baton.inference.models.SegmentInput;
import io.baton.inference.models.SegmentModel;
import io.baton.inference.models.SegmentOutput;
import io.baton.inference.segments.SegmentTimings.Step;
import io.baton.inference.state.CheckpointId;
import io.baton.inference.state.Checkpoints;
import io.baton.protocol.problems.ServiceCallException;
import io.baton.protocol.inference.SegmentRequest;
import io.baton.protocol.inference.SegmentResponse;
import io.baton.protocol.memory.MemoryClient;
import io.baton.inference.state.SegmentOrderException;
import io.baton.inference.state.PutRefusals;
import io.baton.inference.state.StaleParentException;
import io.baton.inference.state.StateCache;
import io.baton.protocol.memory.Written;
import java.util.Arrays;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The segment pipeline: validate, load checkpoint n-1 (the initial state for n = 0), run the
 * model in a batch with other documents' segments, store checkpoint n with compare-and-set, and
 * read out sentence vectors and token log-likelihoods.
 *
 * <p>Nothing is stored unless the whole segment succeeded. A retry of segment n while checkpoint
 * n-1 is still kept recomputes the same bytes, which the memory service accepts as an idempotent
 * repeat; a segment whose predecessor is not stored is refused as a gap naming the expected index.
 *
 * <p>When this instance stored checkpoint n-1 itself, it continues from its own copy of that state
 * ({@link StateCache}) instead of reading it back, and stores n on condition that the kept n-1 is
 * still the one it stored (its digest); if the document changed meanwhile, the condition fails,
 * nothing is stored, and the segment runs again from the kept checkpoint. Either way the outputs
 * are those of the stored state.
 */
public final class SegmentService {

    private final ModelLookup models;
    private final MemoryClient memory;
    private final SegmentBatcher batcher;
    private final StateCache cache;
    private final int maxTokens;

    public SegmentService(ModelLookup models, MemoryClient memory, SegmentBatcher batcher, StateCache cache,
                          int maxTokens) {
        this.models = models;
        this.memory = memory;
        this.batcher = batcher;
        this.cache = cache;
        this.maxTokens = maxTokens;
    }

    /** Processes one segment for {@code tenant}. */
    public Mono<SegmentResponse> process(String tenant, SegmentRequest request) {
        return process(tenant, request, new SegmentTimings());
    }

    /** Processes one segment for {@code tenant}, recording where its time goes in {@code timings}. */
    public Mono<SegmentResponse> process(String tenant, SegmentRequest request, SegmentTimings timings) {
        return Mono.defer(() -> {
            SegmentModel model = models.model(request.model());
            validate(model, request);
            long n = request.segment();
            long asked = System.nanoTime();
            StateCache.Entry kept = n == 0 ? null : cache.find(tenant, request.document(), model.id(), n - 1);
            if (kept == null) {
                return previousState(tenant, request.document(), n, model, timings, asked)
                        .flatMap(state -> run(tenant, request, model, state, null, timings));
            }
            timings.since(Step.STATE, asked);
            return run(tenant, request, model, kept.state(), kept.digest(), timings)
                    .onErrorResume(StaleParentException.class, stale -> previousState(tenant, request.document(), n,
                            model, timings, System.nanoTime())
                            .flatMap(state -> run(tenant, request, model, state, null, timings)));
        }).doOnError(e -> cache.forget(tenant, request.document()));
    }

    /**
     * Runs the segment from {@code state} and stores checkpoint n, on top of {@code parentDigest}
     * when given. The answer's readouts are computed while the put is in flight, off the runner
     * thread, which is free for the next batch as soon as the model has run.
     */
    private Mono<SegmentResponse> run(String tenant, SegmentRequest request, SegmentModel model, DocumentState state,
                                      String parentDigest, SegmentTimings timings) {
        String document = request.document();
        long n = request.segment();
        return batcher.submit(model, tenant + "/" + document, new SegmentInput(request.tokens(), state), timings)
                .publishOn(Schedulers.parallel())
                .flatMap(out -> {
                    long storing = System.nanoTime();
                    byte[] checkpoint = Checkpoints.encode(model, new CheckpointId(tenant, document, n), out.next());
                    Mono<Written> stored = memory.put(tenant, document, n, checkpoint, parentDigest)
                            .onErrorMap(ServiceCallException.class, refused -> PutRefusals.of(refused, document, n))
                            .doOnNext(written -> timings.since(Step.STORE, storing));
                    Mono<SegmentResponse> answer = Mono.fromSupplier(() -> {
                        long reading = System.nanoTime();
                        SegmentResponse response = respond(request, model, out, null);
                        timings.since(Step.READOUT, reading);
                        return response;
                    });
                    return Mono.zip(stored, answer).map(both -> {
                        Written written = both.getT1();
                        if (written.digest() != null) {
                            cache.keep(tenant, document, model.id(), n, written.digest(), out.next());
                        } else {
                            cache.forget(tenant, document);
                        }
                        SegmentResponse response = both.getT2();
                        return new SegmentResponse(response.document(), response.segment(), response.model(),
                                response.tokens(), response.sentenceVectors(), response.tokenNll(), written.storedDigest());
                    });
                });
    }

    private Mono<DocumentState> previousState(String tenant, String document, long n, SegmentModel model,
                                              SegmentTimings timings, long asked) {
        if (n == 0) {
            timings.since(Step.STATE, asked);
            return Mono.just(model.initialState(1));
        }
        return memory.checkpoint(tenant, document, n - 1)
                .map(bytes -> {
                    DocumentState state = Checkpoints.decode(model, bytes);
                    timings.since(Step.STATE, asked);
                    return state;
                })
                .switchIfEmpty(Mono.defer(() -> memory.head(tenant, document)
                        .map(head -> head.segment() + 1).defaultIfEmpty(0L)
                        .flatMap(expected -> Mono.error(SegmentOrderException.gap(document, n, expected)))));
    }

    private void validate(SegmentModel model, SegmentRequest request) {
        long[] tokens = request.tokens();
        if (tokens.length == 0) {
            throw new InvalidSegmentException(Reason.EMPTY_SEGMENT, "segment " + request.segment() + " has no tokens");
        }
        if (tokens.length > maxTokens) {
            throw new InvalidSegmentException(Reason.SEGMENT_TOO_LONG, "segment " + request.segment() + " has "
                    + tokens.length + " tokens; at most " + maxTokens + " are accepted");
        }
        model.validate(tokens);
        if (request.nextToken() != null) {
            model.validate(new long[] {request.nextToken()});
        }
        for (int[] span : request.sentences()) {
            if (span.length != 2 || span[0] < 0 || span[0] >= span[1] || span[1] > tokens.length) {
                throw new InvalidSegmentException(Reason.INVALID_SENTENCE_SPAN, "sentence span "
                        + Arrays.toString(span) + " is not a non-empty [start, end) within the segment's "
                        + tokens.length + " tokens");
            }
        }
    }

    private static SegmentResponse respond(SegmentRequest request, SegmentModel model, SegmentOutput out, String digest) {
        long next = request.nextToken() == null ? -1 : request.nextToken();
        return new SegmentResponse(request.document(), request.segment(), model.id(), out.next().tokens(),
                java.util.List.of(Readouts.sentenceVectors(out.lastHiddenState(), request.sentences())),
                Readouts.tokenNll(out.logits(), request.tokens(), next), digest);
    }
}
