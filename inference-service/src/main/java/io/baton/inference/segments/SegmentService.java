package io.baton.inference.segments;

import io.baton.inference.admission.Admission;
import io.baton.inference.admission.ServiceBusyException;
import io.baton.inference.models.DocumentState;
import io.baton.inference.models.InvalidSegmentException;
import io.baton.inference.models.InvalidSegmentException.Reason;
import io.baton.inference.models.SegmentInput;
import io.baton.inference.models.SegmentModel;
import io.baton.inference.models.SegmentOutput;
import io.baton.inference.segments.SegmentTimings.Step;
import io.baton.inference.state.CheckpointId;
import io.baton.inference.state.CheckpointOrigin;
import io.baton.inference.state.Checkpoints;
import io.baton.inference.state.PutRefusals;
import io.baton.inference.state.SegmentOrderException;
import io.baton.inference.state.StaleParentException;
import io.baton.inference.state.StateCache;
import io.baton.protocol.CheckpointMetadata;
import io.baton.protocol.inference.SegmentRequest;
import io.baton.protocol.inference.SegmentResponse;
import io.baton.protocol.memory.MemoryClient;
import io.baton.protocol.problems.ProblemType;
import io.baton.protocol.problems.ServiceCallException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * A retry whose first attempt did store n, but whose recomputation gives other bytes (on CUDA,
 * batch make-up and algorithm choice may change the last bits), is refused as a conflict by the
 * memory service; the stored n then names its origin ({@link CheckpointOrigin}: the digest of the
 * n-1 it ran from and of its tokens), and when that is this segment's own, the segment succeeds
 * with the read-outs computed now and the stored checkpoint's digest. Any other conflict stands.
 *
 * <p>When this instance stored checkpoint n-1 itself, it continues from its own copy of that state
 * ({@link StateCache}) instead of reading it back, and stores n on condition that the kept n-1 is
 * still the one it stored (its digest); if the document changed meanwhile, the condition fails,
 * nothing is stored, and the segment runs again from the kept checkpoint. Either way the outputs
 * are those of the stored state.
 *
 * <p>Bounds (docs/reliability.md): a segment's tokens, its sentence spans (how many, and the
 * tokens they cover together), and the segments in flight ({@link Admission}: one more is refused
 * {@code service-busy}; batch segments, by the request's priority, take at most their share).
 * A batch segment runs only when no interactive one waits to run ({@link SegmentBatcher}).
 */
public final class SegmentService {

    private static final Logger log = LoggerFactory.getLogger(SegmentService.class);

    private final ModelLookup models;
    private final MemoryClient memory;
    private final SegmentBatcher batcher;
    private final StateCache cache;
    private final Limits limits;
    private final Admission admission;
    private final SegmentMetrics metrics;
    private final InFlight inFlight = new InFlight();
    /** Set once a checkpoint was stored with another digest than its bytes' (a memory service that compresses). */
    private final AtomicBoolean storesOtherwise = new AtomicBoolean();
    // each document's checkpoints put ahead and not yet answered, by document (tenant and id); absent: none
    private final ConcurrentHashMap<String, Integer> puttingAhead = new ConcurrentHashMap<>();

    /**
     * The bounds of one request.
     *
     * @param maxTokens           the most tokens in a segment
     * @param maxSentences        the most sentence spans
     * @param maxSentenceCoverage the tokens all spans cover together, at most this many times the segment's
     * @param pipelineWait        how long a segment whose predecessor is neither stored nor in flight here waits
     *                            for it to start here (it may have been overtaken on the way) before it is
     *                            refused as a gap; zero: not at all
     * @param putAheadWait        how long a follower's put, sent before its predecessor's put is answered (put
     *                            ahead), may wait in the memory service for the predecessor to be stored; zero:
     *                            a follower's put waits for its predecessor's answer instead
     * @param maxPutsAhead        the most of one document's checkpoints put ahead at once; a follower beyond it
     *                            puts after its predecessor's answer
     */
    public record Limits(int maxTokens, int maxSentences, int maxSentenceCoverage, Duration pipelineWait,
                         Duration putAheadWait, int maxPutsAhead) {
    }

    public SegmentService(ModelLookup models, MemoryClient memory, SegmentBatcher batcher, StateCache cache,
                          Limits limits, Admission admission, SegmentMetrics metrics) {
        this.models = models;
        this.metrics = metrics;
        this.memory = memory;
        this.batcher = batcher;
        this.cache = cache;
        this.limits = limits;
        this.admission = admission;
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
            return admission.admit(request.priority(), Mono.defer(() -> start(tenant, request, model, timings)));
        // A refusal for capacity ran and stored nothing: the kept state is still the stored one.
        }).doOnError(e -> !(e instanceof ServiceBusyException), e -> cache.forget(tenant, request.document()))
                .doOnNext(response -> metrics.succeeded(request, response, timings))
                .doOnError(e -> metrics.failed(request, e, timings));
    }

    /**
     * Segment n run from where it starts ({@link #parent}): n-1 followed while it is still in
     * flight here, or run from the state this instance kept after n-1 on condition that it is still
     * the stored one, or from checkpoint n-1 as stored in the memory service (the initial state for
     * n = 0). When what it ran from turns out not to be stored after all (a follower whose
     * predecessor was abandoned, a kept state the document has moved on from), it starts over.
     */
    private Mono<SegmentResponse> start(String tenant, SegmentRequest request, SegmentModel model, SegmentTimings timings) {
        long asked = System.nanoTime();
        return parent(tenant, request.document(), request.segment(), model, timings, asked).flatMap(parent -> {
            if (parent.previous() != null) {
                return follow(tenant, request, model, parent.previous(), timings, asked);
            }
            if (!parent.kept()) {
                return run(tenant, request, model, parent, false, timings);
            }
            return run(tenant, request, model, parent, true, timings)
                    .onErrorResume(StaleParentException.class, stale -> {
                        cache.forget(tenant, request.document());
                        return start(tenant, request, model, timings);
                    });
        });
    }

    /**
     * Segment n run from the state {@code previous} (n-1, in flight here) ran to, as soon as it has
     * run; stored once n-1 is, on condition that n-1 is still that checkpoint. n is in flight from
     * now, while it waits: n+1, sent before n's answer, follows n however long n-1 takes (were n in
     * flight only from its run, n+1 would look for it in vain while n waits, and after the pipeline
     * wait be refused as a gap). When n-1 is not stored as that state, or another writer changed the
     * document, n starts over ({@link #start}), and so do its followers.
     */
    private Mono<SegmentResponse> follow(String tenant, SegmentRequest request, SegmentModel model,
                                         InFlight.Segment previous, SegmentTimings timings, long asked) {
        return inFlightAs(tenant, request, model, self -> previous.next()
                .flatMap(state -> {
                    timings.since(Step.STATE, asked);
                    return run(tenant, request, model, Parent.ranTo(previous, state), true, timings, self);
                }))
                .doOnNext(answered -> metrics.pipelined("followed"))
                .onErrorResume(e -> e instanceof InFlight.Abandoned || e instanceof StaleParentException, e -> {
                    metrics.pipelined("started-over");
                    return start(tenant, request, model, timings);
                });
    }

    /**
     * The state segment n continues from, and the stored digest of the checkpoint it is (empty
     * string: none, n = 0), which for a predecessor still in flight is known once it is stored;
     * or, instead of both, that predecessor ({@code previous}), to be followed. {@code kept}: the
     * state is this instance's own copy of n-1, which the document may have moved on from.
     * {@code awaitsPredecessor}: the state n-1 ran to while in flight here, whose digest is known
     * once n-1's put is answered; {@code predicted}: for such a state, the digest n-1's checkpoint
     * gets when stored as sent, known once it is encoded (a put ahead names it).
     */
    private record Parent(DocumentState state, Mono<String> digest, InFlight.Segment previous, boolean kept,
                          boolean awaitsPredecessor, Mono<String> predicted) {

        static Parent stored(DocumentState state, String digest) {
            return new Parent(state, Mono.just(digest), null, false, false, null);
        }

        static Parent kept(StateCache.Entry kept) {
            return new Parent(kept.state(), Mono.just(kept.digest()), null, true, false, null);
        }

        /**
         * The state {@code previous} ran to, whose digest is known once it is stored, or predicted once
         * its checkpoint is encoded ({@link Step#PREDECESSOR}).
         */
        static Parent ranTo(InFlight.Segment previous, DocumentState state) {
            return new Parent(state, previous.storedDigest(), null, false, true, previous.predictedDigest());
        }

        static Parent following(InFlight.Segment previous) {
            return new Parent(null, null, previous, false, false, null);
        }
    }

    /**
     * Checkpoint n as stored: its digest, and whether this call's own state is it ({@code keep}:
     * this call wrote it and it reads back exactly as written; false for a lossy encoding, or
     * when an earlier attempt of the same segment wrote it).
     */
    private record Stored(String digest, boolean keep) {
    }

    /**
     * Runs the segment from {@code parent} and stores checkpoint n, on condition that the kept n-1
     * is the parent when {@code conditional}. The answer's readouts are computed while the put is
     * in flight, off the runner thread, which is free for the next batch as soon as the model has
     * run. From the start until the answer (for a follower, from when it began to wait for its
     * predecessor's state), the segment is the document's latest {@link InFlight}: n+1 may run from
     * its state as soon as it has run.
     */
    private Mono<SegmentResponse> run(String tenant, SegmentRequest request, SegmentModel model, Parent parent,
                                      boolean conditional, SegmentTimings timings) {
        return inFlightAs(tenant, request, model, self -> run(tenant, request, model, parent, conditional, timings, self));
    }

    /**
     * {@code work} as the document's latest segment in flight here, from subscription until it ends: a failure
     * or a cancellation abandons it (its followers start over), and it leaves {@link InFlight} either way.
     */
    private Mono<SegmentResponse> inFlightAs(String tenant, SegmentRequest request, SegmentModel model,
                                             Function<InFlight.Segment, Mono<SegmentResponse>> work) {
        String key = key(tenant, request.document());
        return Mono.defer(() -> {
            InFlight.Segment self = inFlight.start(key, model.id(), request.segment());
            return work.apply(self)
                    .doOnError(e -> self.abandon())
                    .doOnCancel(self::abandon)
                    .doFinally(signal -> inFlight.end(key, self));
        });
    }

    /** {@link #run} as {@code self}, in flight already ({@link #inFlightAs}). */
    private Mono<SegmentResponse> run(String tenant, SegmentRequest request, SegmentModel model, Parent parent,
                                      boolean conditional, SegmentTimings timings, InFlight.Segment self) {
        String document = request.document();
        long n = request.segment();
        return batcher.submit(model, tenant + "/" + document, request.priority(),
                        new SegmentInput(request.tokens(), parent.state(), nextToken(request), request.sentences()),
                        timings)
                // on the runner thread, as the batch's outputs are handed out: a follower waiting for this state
                // queues before the runner takes its next batch, and joins it
                .doOnNext(out -> self.ran(out.next()))
                .publishOn(Schedulers.parallel())
                .flatMap(out -> {
                    metrics.stateMoved(out.moved());
                    long ran = System.nanoTime();
                    // a follower's parent digest is known once its predecessor is stored: until then its put waits,
                    // unless it goes ahead, naming the digest its predecessor's checkpoint gets when stored as sent
                    Mono<Stored> stored = parent.awaitsPredecessor() && putsAhead()
                            ? putAhead(tenant, request, model, out.next(), parent, timings, self, ran)
                            : afterPredecessor(tenant, request, model, out.next(), parent, conditional, timings,
                                    self, ran);
                    Mono<SegmentResponse> answer = Mono.fromSupplier(() -> {
                        long reading = System.nanoTime();
                        SegmentResponse response = respond(request, model, out);
                        timings.since(Step.READOUT, reading);
                        return response;
                    });
                    return Mono.zip(stored, answer).map(both -> {
                        Stored done = both.getT1();
                        if (done.keep()) {
                            cache.keep(tenant, document, model.id(), n, done.digest(), out.next());
                        } else {
                            cache.forget(tenant, document);
                        }
                        self.stored(done.digest(), done.keep());
                        return both.getT2().withDigest(done.digest());
                    });
                });
    }

    /**
     * Checkpoint n stored once its parent's digest is known: for a follower, once its predecessor's
     * put is answered ({@link Step#PREDECESSOR} until then).
     */
    private Mono<Stored> afterPredecessor(String tenant, SegmentRequest request, SegmentModel model,
                                          DocumentState state, Parent parent, boolean conditional,
                                          SegmentTimings timings, InFlight.Segment self, long ran) {
        return parent.digest().flatMap(parentDigest -> {
            if (parent.awaitsPredecessor()) {
                timings.since(Step.PREDECESSOR, ran);
            }
            return store(tenant, request, model, state, parentDigest, conditional, timings, self);
        });
    }

    /** Whether followers put ahead: asked for, and no checkpoint was seen stored otherwise than sent. */
    private boolean putsAhead() {
        return !limits.putAheadWait().isZero() && !storesOtherwise.get();
    }

    /**
     * Encodes checkpoint n of {@code state}, continuing from the checkpoint with {@code parentDigest},
     * and puts it, on condition that the kept n-1 has that digest when {@code conditional}; a
     * conflict that an earlier attempt of this very segment explains is answered with what it stored.
     */
    private Mono<Stored> store(String tenant, SegmentRequest request, SegmentModel model, DocumentState state,
                               String parentDigest, boolean conditional, SegmentTimings timings, InFlight.Segment self) {
        String document = request.document();
        long n = request.segment();
        long storing = System.nanoTime();
        CheckpointOrigin origin = CheckpointOrigin.of(parentDigest, request.tokens());
        byte[] checkpoint = Checkpoints.encode(model, new CheckpointId(tenant, document, n), state, origin);
        self.sent(checkpoint);
        return memory.put(tenant, document, n, checkpoint, conditional ? parentDigest : null)
                .map(written -> new Stored(written.storedDigest(), written.digest() != null))
                .onErrorResume(ServiceCallException.class, refused ->
                        refused.type() == ProblemType.CHECKPOINT_CONFLICT
                                ? storedBefore(tenant, document, n, model, origin)
                                        .switchIfEmpty(Mono.error(() -> PutRefusals.of(refused, document, n)))
                                : Mono.error(PutRefusals.of(refused, document, n)))
                .doOnNext(done -> timings.since(Step.STORE, storing));
    }

    /**
     * A follower's checkpoint put ahead: as soon as its predecessor's checkpoint is encoded, naming
     * the digest that one gets when stored as sent, the memory service holding the put until the
     * predecessor is stored (up to {@code putAheadWait}) and storing it only on top of that very
     * checkpoint. When it is refused (the predecessor was not stored in time, or was stored with
     * another digest), the follower puts again as it would have without going ahead: once the
     * predecessor's put is answered ({@link #store}). A predecessor stored as the state it ran to,
     * but with another digest than predicted, means the memory service does not store checkpoints
     * as sent (compression, downcast): followers stop putting ahead on this instance. A document
     * with {@code maxPutsAhead} puts ahead unanswered already puts once the predecessor is answered.
     */
    private Mono<Stored> putAhead(String tenant, SegmentRequest request, SegmentModel model, DocumentState state,
                                  Parent parent, SegmentTimings timings, InFlight.Segment self, long ran) {
        String document = request.document();
        long n = request.segment();
        String key = key(tenant, document);
        return parent.predicted().flatMap(predicted -> {
            if (!aheadPlace(key)) {
                // the document has baton.segments.max-puts-ahead puts ahead unanswered already
                metrics.putAhead("limited");
                return afterPredecessor(tenant, request, model, state, parent, true, timings, self, ran);
            }
            long storing = System.nanoTime();
            timings.add(Step.PREDECESSOR, ran, storing);
            // the place is given back once the put is answered, fails or is cancelled, or when encoding fails
            return Mono.using(() -> key, taken -> {
                        byte[] checkpoint = Checkpoints.encode(model, new CheckpointId(tenant, document, n), state,
                                CheckpointOrigin.of(predicted, request.tokens()));
                        self.sent(checkpoint);
                        return memory.put(tenant, document, n, checkpoint, predicted, limits.putAheadWait());
                    }, this::aheadAnswered)
                    .flatMap(written -> {
                        timings.since(Step.STORE, storing);
                        metrics.putAhead("stored");
                        // the predecessor's answer may come after this one: it keeps (or forgets) its state first, so
                        // that the state cache ends with this segment's, the document's last
                        return parent.digest().onErrorResume(e -> Mono.just(""))
                                .thenReturn(new Stored(written.storedDigest(), written.digest() != null));
                    })
                    .onErrorResume(ServiceCallException.class, refused -> {
                        if (refused.type() != ProblemType.CHECKPOINT_CONFLICT
                                && refused.type() != ProblemType.PARENT_MISMATCH) {
                            return Mono.error(PutRefusals.of(refused, document, n));
                        }
                        long fellBack = System.nanoTime();
                        timings.add(Step.STORE, storing, fellBack);
                        metrics.putAhead("fell-back");
                        return parent.digest().flatMap(parentDigest -> {
                            timings.since(Step.PREDECESSOR, fellBack);
                            if (!parentDigest.equals(predicted) && storesOtherwise.compareAndSet(false, true)) {
                                log.warn("checkpoint {} of document {} was stored with another digest than its bytes' (the "
                                        + "memory service compresses or downcasts): from now on a follower's put waits "
                                        + "for its predecessor's answer", n - 1, document);
                            }
                            return store(tenant, request, model, state, parentDigest, true, timings, self);
                        });
                    });
        });
    }

    /** A place for one more of document {@code key}'s puts ahead; false when it has the most already. */
    private boolean aheadPlace(String key) {
        boolean[] taken = {false};
        puttingAhead.compute(key, (k, now) -> {
            int puts = now == null ? 0 : now;
            if (puts >= limits.maxPutsAhead()) {
                return now;
            }
            taken[0] = true;
            return puts + 1;
        });
        return taken[0];
    }

    /** One of document {@code key}'s puts ahead is answered (or failed, or cancelled): its place is free. */
    private void aheadAnswered(String key) {
        puttingAhead.computeIfPresent(key, (k, puts) -> puts == 1 ? null : puts - 1);
    }

    /**
     * After a put of n was refused as a conflict: checkpoint n as stored, when it is this very
     * segment applied to this very parent (an earlier attempt whose answer was lost); empty when
     * n is not stored or came from elsewhere, and the conflict stands. The state this call
     * computed is not the stored one, so it is not kept.
     */
    private Mono<Stored> storedBefore(String tenant, String document, long n, SegmentModel model,
                                      CheckpointOrigin origin) {
        return memory.kept(tenant, document, n).flatMap(kept -> {
            var metadata = Checkpoints.metadata(kept.container());
            boolean same = origin.provenSameAs(CheckpointOrigin.of(metadata))
                    && model.digest().equals(metadata.get(CheckpointMetadata.MODEL_DIGEST));
            if (!same) {
                return Mono.empty();
            }
            log.info("checkpoint {} of document {} was stored by an earlier attempt of the same segment from the same "
                    + "state; answering with it", n, document);
            return Mono.just(new Stored(kept.digest(), false));
        });
    }

    /**
     * Where segment n starts from: n-1 in flight here (followed); else the state this instance kept
     * after n-1; else checkpoint n-1 as stored in the memory service (the initial state for n = 0);
     * and when that is not stored yet, n-1 once it starts here within the pipeline wait (n
     * overtook it on the way). n watches for n-1 here from before its first look until it knows
     * ({@link InFlight#watch}): an n-1 that starts while n looks, even one that has run and been
     * stored by the time the store answers, is followed, not waited for in vain as if still on its
     * way, nor read back. In flight before kept: n-1 keeps its state before it leaves the
     * in-flight set ({@link #run}), so a look that misses it in flight finds what it kept.
     */
    private Mono<Parent> parent(String tenant, String document, long n, SegmentModel model, SegmentTimings timings,
                                long asked) {
        if (n == 0) {
            timings.since(Step.STATE, asked);
            return Mono.just(Parent.stored(model.initialState(1), ""));
        }
        return Mono.using(() -> inFlight.watch(key(tenant, document), model.id(), n - 1), watch -> {
            Mono<Parent> here = Mono.fromSupplier(() -> {
                InFlight.Segment previous = watch.seen();
                if (previous != null) {
                    return Parent.following(previous);
                }
                StateCache.Entry kept = cache.find(tenant, document, model.id(), n - 1);
                if (kept != null) {
                    timings.since(Step.STATE, asked);
                    return Parent.kept(kept);
                }
                return null;
            });
            Mono<Parent> stored = Mono.defer(() -> memory.kept(tenant, document, n - 1))
                    .map(kept -> {
                        InFlight.Segment previous = watch.seen();
                        if (previous != null) {
                            return Parent.following(previous);
                        }
                        DocumentState state = Checkpoints.decode(model, kept.container());
                        timings.since(Step.STATE, asked);
                        return Parent.stored(state, kept.digest());
                    });
            return here.switchIfEmpty(stored)
                    .switchIfEmpty(watch.next(limits.pipelineWait()).map(Parent::following))
                    .switchIfEmpty(stored)
                    .switchIfEmpty(Mono.defer(() -> gap(tenant, document, n, stored)));
        }, InFlight.Watch::close);
    }

    /**
     * The refusal of segment n whose predecessor is not stored, naming the segment the document
     * expects; or, when that is n (n-1 was stored since it was looked up), {@code stored} read again.
     */
    private Mono<Parent> gap(String tenant, String document, long n, Mono<Parent> stored) {
        return memory.head(tenant, document)
                .map(head -> head.segment() + 1).defaultIfEmpty(0L)
                .flatMap(expected -> (expected == n ? stored : Mono.<Parent>empty())
                        .switchIfEmpty(Mono.error(() -> SegmentOrderException.gap(document, n, expected))));
    }

    private void validate(SegmentModel model, SegmentRequest request) {
        long[] tokens = request.tokens();
        if (tokens.length == 0) {
            throw new InvalidSegmentException(Reason.EMPTY_SEGMENT, "segment " + request.segment() + " has no tokens");
        }
        if (tokens.length > limits.maxTokens()) {
            throw new InvalidSegmentException(Reason.SEGMENT_TOO_LONG, "segment " + request.segment() + " has "
                    + tokens.length + " tokens; at most " + limits.maxTokens() + " are accepted (baton.segments.max-tokens)",
                    (long) limits.maxTokens());
        }
        model.validate(tokens);
        if (request.nextToken() != null) {
            model.validate(new long[] {request.nextToken()});
        }
        List<int[]> spans = request.sentences();
        if (spans.size() > limits.maxSentences()) {
            throw new InvalidSegmentException(Reason.INVALID_SENTENCE_SPAN, "segment " + request.segment() + " has "
                    + spans.size() + " sentence spans; at most " + limits.maxSentences()
                    + " are accepted (baton.segments.max-sentences)", (long) limits.maxSentences());
        }
        long covered = 0;
        for (int[] span : spans) {
            if (span == null || span.length != 2 || span[0] < 0 || span[0] >= span[1] || span[1] > tokens.length) {
                throw new InvalidSegmentException(Reason.INVALID_SENTENCE_SPAN, "sentence span "
                        + Arrays.toString(span) + " is not a non-empty [start, end) within the segment's "
                        + tokens.length + " tokens");
            }
            covered += span[1] - span[0];
        }
        long coverable = (long) limits.maxSentenceCoverage() * tokens.length;
        if (covered > coverable) {
            throw new InvalidSegmentException(Reason.INVALID_SENTENCE_SPAN, "the sentence spans of segment "
                    + request.segment() + " cover " + covered + " tokens in all; at most " + limits.maxSentenceCoverage()
                    + " times its " + tokens.length + " tokens (" + coverable
                    + ") are read out (baton.segments.max-sentence-coverage)", coverable);
        }
    }

    private static String key(String tenant, String document) {
        return tenant + '\u0000' + document;
    }

    private static SegmentResponse respond(SegmentRequest request, SegmentModel model, SegmentOutput out) {
        return new SegmentResponse(request.document(), request.segment(), model.id(), out.next().tokens(),
                List.of(out.sentenceVectors() != null ? out.sentenceVectors()
                        : Readouts.sentenceVectors(out.lastHiddenState(), request.sentences())),
                Readouts.tokenNll(out, request.tokens(), nextToken(request)), null);
    }

    /** The first token of the following segment, which the last position predicts; -1 when not given. */
    private static long nextToken(SegmentRequest request) {
        return request.nextToken() == null ? -1 : request.nextToken();
    }
}
