package io.baton.gateway.pipeline;

import io.baton.gateway.segmenting.Segment;
import io.baton.protocol.inference.InferenceClient;
import io.baton.protocol.inference.SegmentRequest;
import io.baton.protocol.inference.SegmentResponse;
import io.baton.protocol.problems.ProblemType;
import io.baton.protocol.problems.ServiceCallException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Signal;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * Runs documents through inference, one ordered pipeline per document.
 *
 * <ul>
 *   <li><b>Order.</b> Segment n+1 is sent only after inference answered for n, i.e. after
 *       checkpoint n is stored ({@code concatMap}), and after the job's {@link SegmentRecorder}
 *       kept n's answer; or, with {@code segmentsInFlight} k above 1 (pipelined segments,
 *       docs/reliability.md) and a job that records nothing ({@link SegmentRecorder#NONE}: a
 *       summary, the documents API), as soon as n-k+1 is answered, so that inference runs n+1
 *       while it stores n. Answers are still taken in order, one at a time: each segment's result,
 *       recording and resume below happen only after its predecessor's. A segment sent ahead that
 *       inference refused as a gap (it may have overtaken its predecessor, and the wait for it ran
 *       out) waits until its predecessor's answer is taken and, if that names a segment this run
 *       has stored since, is sent once more, still within its place among the k: a document never
 *       has more than k calls at inference.
 *   <li><b>Bound.</b> A run first takes a permit of the {@link DocumentGate}: at most that many
 *       documents run at once; the others wait, without a thread.
 *   <li><b>Never twice.</b> The client retries a lost call itself (an identical repeat is
 *       idempotent). When inference answers that the document is elsewhere ({@code
 *       checkpoint-conflict} / {@code segment-gap}) it names the index it expects: what happens to
 *       a segment below it (stored already, by an earlier attempt) is the job's {@link
 *       DocumentJob.OnStored}: skipped, so the run resumes there, only when the consumer needs no
 *       answer of it; otherwise the run fails ({@link AnswerLostException}, {@link
 *       DocumentConflictException}). A run ahead of it fails with {@link DocumentBehindException}.
 *   <li><b>Lost state.</b> An expected index at or below a segment this run saw stored (it stored
 *       it, was told it was stored, or its recorder holds the segment's answer from before the run:
 *       a batch job's continuation) means the store lost acknowledged state (a restart without
 *       persistence): the run fails with {@link StateLostException}, never resumes on it.
 *   <li><b>Cancellation.</b> Cancelling the returned flux (the client went away) cancels the
 *       call in flight, sends no further segment and releases the permit.
 * </ul>
 *
 * Segmenting (tokenisation) runs on the bounded-elastic scheduler, a couple of segments ahead.
 */
public final class DocumentPipeline {

    private static final int SEGMENTS_AHEAD = 2;

    private final InferenceClient inference;
    private final DocumentGate gate;
    private final int segmentsInFlight;

    /** A pipeline that sends one segment of a document at a time. */
    public DocumentPipeline(InferenceClient inference, DocumentGate gate) {
        this(inference, gate, 1);
    }

    /** A pipeline with up to {@code segmentsInFlight} segments of a document at inference at once. */
    public DocumentPipeline(InferenceClient inference, DocumentGate gate, int segmentsInFlight) {
        if (segmentsInFlight < 1) {
            throw new IllegalArgumentException("segments in flight per document must be at least 1, got " + segmentsInFlight);
        }
        this.inference = inference;
        this.gate = gate;
        this.segmentsInFlight = segmentsInFlight;
    }

    /** The gate bounding how many documents run at once. */
    public DocumentGate gate() {
        return gate;
    }

    /** Runs one document; one result per segment, in order. */
    public Flux<SegmentResult> run(DocumentJob job) {
        return Flux.usingWhen(gate.acquire(), permit -> segments(job), DocumentGate.Permit::release);
    }

    private Flux<SegmentResult> segments(DocumentJob job) {
        return Flux.defer(() -> {
            Run run = new Run(job, System.nanoTime());
            Flux<Segment> segments = Flux.fromIterable(job.segments()::get).subscribeOn(Schedulers.boundedElastic());
            // A recorded run (a batch job's request) keeps its recorder's promise: each answer is
            // recorded before the next segment is sent, so it runs one segment at a time.
            if (segmentsInFlight == 1 || job.recorder() != SegmentRecorder.NONE) {
                return segments.concatMap(segment -> step(run, segment), SEGMENTS_AHEAD);
            }
            // Up to segmentsInFlight calls at once; their answers are taken one at a time, in order,
            // and no answer waits untaken beyond those (prefetch 1): a cancelled or failed run has
            // sent at most segmentsInFlight segments past the last one it took.
            return segments.flatMapSequential(segment -> send(run, segment), segmentsInFlight, 1)
                    .concatMap(sent -> take(run, sent), 1);
        });
    }

    /** Segment n sent, to be taken in order: skipped (null answer), or inference's answer as a signal. */
    private record Sent(Segment segment, Signal<SegmentResponse> answer) {
    }

    private Mono<Sent> send(Run run, Segment segment) {
        if (segment.index() < run.skipUntil) {
            return Mono.just(new Sent(segment, null));
        }
        Mono<SegmentResponse> answer = call(run, segment);
        if (run.taken < segment.index() - 1) {
            // Sent ahead: a gap may mean it overtook its predecessor. The resend stays inside this
            // segment's place in flatMapSequential, so it counts among the segments in flight.
            answer = answer.onErrorResume(DocumentPipeline::gap, e -> run.takenThrough(segment.index() - 1)
                    .then(Mono.defer(() -> overtaken(e, run) ? call(run, segment) : Mono.error(e))));
        }
        return answer.materialize().map(signal -> new Sent(segment, signal));
    }

    /** A sent segment's answer, taken after its predecessor's, as {@link #step} takes an answer. */
    private Mono<SegmentResult> take(Run run, Sent sent) {
        Segment segment = sent.segment();
        if (sent.answer() == null || segment.index() < run.skipUntil) {
            return Mono.just(run.skipped(segment));
        }
        Mono<SegmentResponse> answer = sent.answer().isOnError() ? Mono.error(sent.answer().getThrowable())
                : Mono.justOrEmpty(sent.answer().get());
        return answered(run, segment, answer);
    }

    private static boolean gap(Throwable e) {
        return e instanceof ServiceCallException refused && refused.is(ProblemType.SEGMENT_GAP);
    }

    /**
     * Refused as a gap naming a segment this run has stored since it was sent: it overtook its
     * predecessor on the way (docs/reliability.md, "Pipelined segments").
     */
    private static boolean overtaken(Throwable e, Run run) {
        long expected = gap(e) ? ((ServiceCallException) e).expectedSegment() : -1;
        return expected >= 0 && expected <= run.stored;
    }

    private Mono<SegmentResponse> call(Run run, Segment segment) {
        DocumentJob job = run.job;
        SegmentRequest request = new SegmentRequest(job.document(), segment.index(), job.model(), segment.tokens(),
                segment.sentenceTokenSpans(), null, job.priority());
        return inference.process(job.tenant(), request);
    }

    private Mono<SegmentResult> step(Run run, Segment segment) {
        if (segment.index() < run.skipUntil) {
            return Mono.just(run.skipped(segment));
        }
        return answered(run, segment, call(run, segment));
    }

    /** What inference's {@code answer} for {@code segment} makes of the run: a result, recorded, or a resume. */
    private Mono<SegmentResult> answered(Run run, Segment segment, Mono<SegmentResponse> answer) {
        DocumentJob job = run.job;
        return answer
                .map(response -> run.done(segment, response))
                .flatMap(result -> job.recorder().record(result).thenReturn(result))
                .onErrorResume(DocumentPipeline::outOfOrder,
                        e -> resumed(run, segment, ((ServiceCallException) e).expectedSegment()));
    }

    /** What an out-of-order answer naming {@code expected} means for {@code segment} of {@code run}. */
    private static Mono<SegmentResult> resumed(Run run, Segment segment, long expected) {
        DocumentJob job = run.job;
        if (run.stored >= 0 && expected <= run.stored) {
            return Mono.error(new StateLostException(job.document(), segment.index(), run.stored, expected));
        }
        return switch (job.onStored()) {
            case CONFLICT -> Mono.error(new DocumentConflictException(job.document(), segment.index(), expected));
            case ANSWER_NEEDED -> Mono.error(expected > segment.index()
                    ? new AnswerLostException(job.document(), segment.index(), expected)
                    : new DocumentBehindException(job.document(), segment.index(), expected));
            case SKIP -> {
                if (expected > segment.index()) {
                    run.skipUntil = expected;
                    run.stored = expected - 1;
                    yield Mono.just(run.skipped(segment));
                }
                yield Mono.error(new DocumentBehindException(job.document(), segment.index(), expected));
            }
        };
    }

    /** Inference refused a segment out of order, naming the one the document expects next. */
    private static boolean outOfOrder(Throwable e) {
        return e instanceof ServiceCallException refused && refused.expectedSegment() >= 0
                && (refused.is(ProblemType.SEGMENT_GAP) || refused.is(ProblemType.CHECKPOINT_CONFLICT));
    }

    /**
     * The state of one run; changed by one segment at a time ({@code concatMap}), read also where
     * the next segments are sent.
     */
    private static final class Run {

        final DocumentJob job;
        final long started;
        volatile long skipUntil;
        /**
         * The highest segment this run saw stored (stored by it, skipped as stored, or recorded
         * before it began: {@link SegmentRecorder#recordedThrough()}); -1 for none.
         */
        volatile long stored;
        /** The last segment whose answer was taken (a result or skipped); -1 for none. */
        volatile long taken = -1;
        /** Each {@link #taken}, for a segment sent ahead that waits for its predecessor's. */
        private final Sinks.Many<Long> takes = Sinks.many().replay().latest();
        long segmentsDone;
        long tokensDone;

        Run(DocumentJob job, long started) {
            this.job = job;
            this.started = started;
            this.stored = job.recorder().recordedThrough();
        }

        SegmentResult done(Segment segment, SegmentResponse response) {
            stored = Math.max(stored, segment.index());
            return new SegmentResult(segment, response, advance(segment));
        }

        SegmentResult skipped(Segment segment) {
            return new SegmentResult(segment, null, advance(segment));
        }

        /** Completes once the answer of segment {@code index} (or a later one) is taken. */
        Mono<Void> takenThrough(long index) {
            return takes.asFlux().filter(t -> t >= index).next().then();
        }

        private SegmentProgress advance(Segment segment) {
            taken = segment.index();
            takes.tryEmitNext(taken);
            segmentsDone++;
            tokensDone += segment.size();
            long chars = segment.chars().end();
            long elapsedNanos = System.nanoTime() - started;
            long total = job.totalChars();
            long segments = total > 0 && chars > 0
                    ? Math.max(segmentsDone, Math.round(Math.ceil(segmentsDone * (double) total / chars)))
                    : segmentsDone;
            boolean estimated = total <= 0 || chars < total;
            double perSecond = elapsedNanos > 0 ? tokensDone * 1e9 / elapsedNanos : 0;
            return new SegmentProgress(job.document(), segmentsDone, segments, estimated, tokensDone, chars, total,
                    elapsedNanos / 1_000_000, perSecond);
        }
    }
}
