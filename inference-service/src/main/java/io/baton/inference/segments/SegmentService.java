package io.baton.inference.segments;

import io.baton.inference.models.DocumentState;
import io.baton.inference.models.InvalidSegmentException;
import io.baton.inference.models.InvalidSegmentException.Reason;
import io.baton.inference.models.SegmentInput;
import io.baton.inference.models.SegmentModel;
import io.baton.inference.models.SegmentOutput;
import io.baton.inference.state.CheckpointId;
import io.baton.inference.state.Checkpoints;
import io.baton.inference.state.MemoryClient;
import io.baton.inference.state.SegmentOrderException;
import io.baton.inference.state.StaleParentException;
import io.baton.inference.state.StateCache;
import java.util.Arrays;
import reactor.core.publisher.Mono;

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
        return Mono.defer(() -> {
            SegmentModel model = models.model(request.model());
            validate(model, request);
            long n = request.segment();
            StateCache.Entry kept = n == 0 ? null : cache.find(tenant, request.document(), model.id(), n - 1);
            if (kept == null) {
                return previousState(tenant, request.document(), n, model)
                        .flatMap(state -> run(tenant, request, model, state, null));
            }
            return run(tenant, request, model, kept.state(), kept.digest())
                    .onErrorResume(StaleParentException.class, stale -> previousState(tenant, request.document(), n, model)
                            .flatMap(state -> run(tenant, request, model, state, null)));
        }).doOnError(e -> cache.forget(tenant, request.document()));
    }

    /** Runs the segment from {@code state} and stores checkpoint n, on top of {@code parentDigest} when given. */
    private Mono<SegmentResponse> run(String tenant, SegmentRequest request, SegmentModel model, DocumentState state,
                                      String parentDigest) {
        String document = request.document();
        long n = request.segment();
        return batcher.submit(model, tenant + "/" + document, new SegmentInput(request.tokens(), state))
                .flatMap(out -> memory.put(tenant, document, n,
                                Checkpoints.encode(model, new CheckpointId(tenant, document, n), out.next()), parentDigest)
                        .map(written -> {
                            if (written.digest() != null) {
                                cache.keep(tenant, document, model.id(), n, written.digest(), out.next());
                            } else {
                                cache.forget(tenant, document);
                            }
                            return respond(request, model, out);
                        }));
    }

    private Mono<DocumentState> previousState(String tenant, String document, long n, SegmentModel model) {
        if (n == 0) {
            return Mono.just(model.initialState(1));
        }
        return memory.checkpoint(tenant, document, n - 1)
                .map(bytes -> Checkpoints.decode(model, bytes))
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

    private static SegmentResponse respond(SegmentRequest request, SegmentModel model, SegmentOutput out) {
        long next = request.nextToken() == null ? -1 : request.nextToken();
        return new SegmentResponse(request.document(), request.segment(), model.id(), out.next().tokens(),
                java.util.List.of(Readouts.sentenceVectors(out.lastHiddenState(), request.sentences())),
                Readouts.tokenNll(out.logits(), request.tokens(), next));
    }
}
