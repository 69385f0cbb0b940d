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
 */
public final class SegmentService {

    private final ModelLookup models;
    private final MemoryClient memory;
    private final SegmentBatcher batcher;
    private final int maxTokens;

    public SegmentService(ModelLookup models, MemoryClient memory, SegmentBatcher batcher, int maxTokens) {
        this.models = models;
        this.memory = memory;
        this.batcher = batcher;
        this.maxTokens = maxTokens;
    }

    /** Processes one segment for {@code tenant}. */
    public Mono<SegmentResponse> process(String tenant, SegmentRequest request) {
        return Mono.defer(() -> {
            SegmentModel model = models.model(request.model());
            long[] tokens = request.tokens();
            validate(model, request);
            String document = request.document();
            long n = request.segment();
            return previousState(tenant, document, n, model)
                    .flatMap(state -> batcher.submit(model, tenant + "/" + document, new SegmentInput(tokens, state)))
                    .flatMap(out -> memory.put(tenant, document, n,
                                    Checkpoints.encode(model, new CheckpointId(tenant, document, n), out.next()))
                            .thenReturn(respond(request, model, out)));
        });
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
