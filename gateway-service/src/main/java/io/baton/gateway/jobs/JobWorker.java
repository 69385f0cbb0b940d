package io.baton.gateway.jobs;

import io.baton.gateway.GatewayProperties;
import io.baton.gateway.jobs.queue.Delivery;
import io.baton.gateway.jobs.queue.JobQueue;
import io.baton.gateway.jobs.queue.JobQueue.Settlement;
import io.baton.gateway.jobs.queue.WorkMessage;
import io.baton.gateway.jobs.store.Claim;
import io.baton.gateway.jobs.store.JobRequest;
import io.baton.gateway.jobs.store.JobStore;
import io.baton.gateway.jobs.store.JobStatus;
import io.baton.gateway.jobs.store.RequestOutcome;
import io.baton.gateway.jobs.store.RequestRef;
import io.baton.gateway.pipeline.StateLostException;
import io.baton.gateway.summarize.SummaryEvent;
import io.baton.gateway.summarize.SummaryJournal;
import io.baton.gateway.summarize.SummaryRequest;
import io.baton.gateway.summarize.SummaryService;
import io.baton.protocol.memory.MemoryClient;
import io.baton.protocol.problems.BatonException;
import io.baton.protocol.problems.ProblemType;
import io.baton.protocol.problems.Problems;
import io.baton.protocol.problems.RequestIds;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs the requests of batch jobs, one delivery at a time per slot, wherever the queue delivers
 * them (docs/jobs.md, "How a request runs").
 *
 * <ol>
 *   <li><b>Claim</b> the request under a lease of its own ({@code owner} is this delivery's, not
 *       this process's). A request another worker holds is waited for once, until its lease would
 *       run out: if it was renewed, its holder is alive and this delivery is a duplicate (acked);
 *       if not, its holder died and this delivery takes it over.
 *   <li><b>Run</b> its summary from the answers recorded so far ({@link SummaryService#resume}):
 *       each segment's answer is recorded, and the lease renewed, before the next segment is sent;
 *       a heartbeat renews it between segments too. A worker that dies costs at most the segment in
 *       flight, whose checkpoint inference may have stored: the next worker sends it again, and
 *       inference recomputes it from the kept checkpoint before it (an idempotent repeat).
 *   <li><b>Pause</b> after {@code slice}: publish a continuation message (confirmed), give the
 *       lease back, ack. No delivery is held longer than a slice.
 *   <li><b>Finish</b> with one result: the summary, or the error of a failure that cannot pass;
 *       the request's document is deleted from the memory service. A failure that may pass (a
 *       service unavailable) gives the lease back with its reason and returns the delivery after
 *       {@code retryBackoff}; after the queue's delivery limit the dead letter gets the request its
 *       failed result with that reason ({@link #dead}). A refusal for capacity ({@code
 *       service-busy}: batch work yields to interactive work) is no failure: after {@code
 *       retryBackoff} the request pauses as at the end of a slice, and its delivery count starts
 *       again. A request whose document the store lost ({@code state-lost}: the document is short
 *       of an answer recorded before) starts over from its first segment, once
 *       ({@link JobStore#restart}).
 * </ol>
 */
public final class JobWorker implements JobQueue.Worker, JobQueue.DeadLetters {

    private static final Logger log = LoggerFactory.getLogger(JobWorker.class);

    private final JobStore store;
    private final JobQueue queue;
    private final SummaryService summaries;
    private final MemoryClient memory;
    private final GatewayProperties.Jobs settings;
    private final JobMetrics metrics;
    private final JobTracing tracing;
    private final Clock clock;
    private final String instance;

    public JobWorker(JobStore store, JobQueue queue, SummaryService summaries, MemoryClient memory,
                     GatewayProperties.Jobs settings, JobMetrics metrics, JobTracing tracing, Clock clock) {
        this.store = store;
        this.queue = queue;
        this.summaries = summaries;
        this.memory = memory;
        this.settings = settings;
        this.metrics = metrics;
        this.tracing = tracing;
        this.clock = clock;
        this.instance = UUID.randomUUID().toString().substring(0, 8);
    }

    /** The memory service's document of a job's request. */
    public static String document(RequestRef ref) {
        return "job-" + ref.job() + "-" + ref.index();
    }

    @Override
    public Mono<Settlement> handle(Delivery delivery) {
        WorkMessage message = delivery.message();
        RequestRef ref = message.ref();
        String owner = instance + "-" + UUID.randomUUID();
        return tracing.continued(message, claim(ref, owner, false)
                .flatMap(claim -> switch (claim.kind()) {
                    case GONE, FINISHED, HELD -> Mono.just(Settlement.ACK);
                    case STOPPED -> store.request(ref)
                            .flatMap(request -> stopped(ref, request))
                            .thenReturn(Settlement.ACK);
                    case CLAIMED -> run(delivery, ref, owner, claim.attempt());
                })
                .onErrorResume(e -> {
                    // The job store failed (Redis down): the message is returned and tried again.
                    log.warn("job request {} could not be handled: {}", ref, e.toString());
                    return Mono.delay(settings.retryBackoff()).thenReturn(Settlement.REQUEUE);
                }))
                .contextWrite(context -> message.requestId() == null ? context
                        : context.put(RequestIds.KEY, message.requestId()));
    }

    /** Claims, waiting once for a held lease to run out. */
    private Mono<Claim> claim(RequestRef ref, String owner, boolean waited) {
        Instant now = clock.instant();
        return store.claim(ref, owner, now, settings.lease()).flatMap(claim -> {
            if (claim.kind() != Claim.Kind.HELD || waited) {
                return Mono.just(claim);
            }
            Duration wait = Duration.between(now, claim.heldUntil()).plusMillis(500);
            return Mono.delay(wait.isNegative() ? Duration.ZERO : wait).then(claim(ref, owner, true));
        });
    }

    private Mono<Settlement> run(Delivery delivery, RequestRef ref, String owner, int attempt) {
        Instant sliceEnd = clock.instant().plus(settings.slice());
        return store.request(ref).flatMap(request -> store.answers(ref).flatMap(recorded -> {
            if (!recorded.isEmpty()) {
                metrics.resumed();
            }
            Journal journal = new Journal(ref, owner, recorded, sliceEnd);
            Mono<SummaryEvent> outcome = summaries.resume(ref.tenant(), document(ref), summaryRequest(request), journal)
                    .filter(event -> !(event instanceof SummaryEvent.Progress))
                    .last();
            Mono<SummaryEvent> lostLease = Flux.interval(settings.lease().dividedBy(3))
                    .concatMap(beat -> store.renew(ref, owner, clock.instant(), settings.lease()))
                    .filter(renewed -> !renewed)
                    .next()
                    .then(Mono.error(new LeaseLostException()));
            return Mono.firstWithSignal(outcome, lostLease)
                    .flatMap(event -> event instanceof SummaryEvent.Done done
                            ? finish(ref, new RequestOutcome(RequestOutcome.Kind.COMPLETED,
                                    ResultLines.summary(request.customId(), done.summary())))
                                    .then(discard(ref)).thenReturn(Settlement.ACK)
                            : pause(delivery, ref, owner))
                    .onErrorResume(e -> failed(delivery, ref, owner, request, e));
        })).defaultIfEmpty(Settlement.ACK);
    }

    /** The slice is over: a continuation is published (confirmed), then the lease given back. */
    private Mono<Settlement> pause(Delivery delivery, RequestRef ref, String owner) {
        return queue.publish(delivery.message())
                .then(store.release(ref, owner, null))
                .thenReturn(Settlement.ACK)
                .onErrorResume(e -> {
                    log.info("job request {} paused, but its continuation was not published ({}); its delivery "
                            + "is returned instead", ref, e.getMessage());
                    return store.release(ref, owner, null).onErrorResume(x -> Mono.empty())
                            .thenReturn(Settlement.REQUEUE);
                });
    }

    private Mono<Settlement> failed(Delivery delivery, RequestRef ref, String owner, JobRequest request, Throwable e) {
        if (e instanceof LeaseLostException) {
            log.info("job request {}: lease lost, another worker has it", ref);
            return store.find(ref.tenant(), ref.job()).map(job -> Settlement.ACK)
                    .switchIfEmpty(discard(ref).thenReturn(Settlement.ACK));
        }
        if (e instanceof JobStoppedException) {
            return stopped(ref, request).then(discard(ref)).thenReturn(Settlement.ACK);
        }
        if (e instanceof BatonException busy && busy.type() == ProblemType.SERVICE_BUSY) {
            // Inference (or this gateway) is at capacity, e.g. with interactive work that batch work
            // yields to: not a failure of the request. It waits and continues from a fresh message,
            // so capacity never uses up its delivery limit.
            log.debug("job request {} waits for capacity: {}", ref, e.getMessage());
            return Mono.delay(settings.retryBackoff()).then(pause(delivery, ref, owner));
        }
        if (e instanceof StateLostException) {
            // The request holds its whole text, so a request whose document the store lost (a Redis
            // restart without persistence, a failover that lost acknowledged writes) starts over
            // from its first segment once, as a summary does, continued from a fresh message with
            // its answers dropped and its document deleted; lost a second time, it fails.
            return store.restart(ref, owner).flatMap(restarted -> {
                if (!restarted) {
                    return failure(ref, request, e);
                }
                log.warn("job request {}: {}; starting over from its first segment", ref, e.getMessage());
                metrics.restarted();
                return discard(ref).then(pause(delivery, ref, owner));
            });
        }
        if (ResultLines.transientFailure(e)) {
            log.warn("job request {} failed for a reason that may pass; it will be tried again: {}", ref, e.toString());
            return store.release(ref, owner, ResultLines.problem(e, JobService.instance(ref.job())))
                    .then(Mono.delay(settings.retryBackoff()))
                    .thenReturn(Settlement.REQUEUE);
        }
        return failure(ref, request, e);
    }

    /** The request's result is the failure {@code e}. */
    private Mono<Settlement> failure(RequestRef ref, JobRequest request, Throwable e) {
        return finish(ref, new RequestOutcome(RequestOutcome.Kind.FAILED,
                ResultLines.error(request.customId(), e, JobService.instance(ref.job()))))
                .then(discard(ref)).thenReturn(Settlement.ACK);
    }

    /** The result of a request whose job was cancelled or expired before it finished. */
    private Mono<Void> stopped(RequestRef ref, JobRequest request) {
        return store.find(ref.tenant(), ref.job())
                .map(job -> job.status() == JobStatus.EXPIRED ? JobStore.Stop.EXPIRE : JobStore.Stop.CANCEL)
                .flatMap(stop -> finish(ref, new RequestOutcome(RequestOutcome.Kind.CANCELLED,
                        ResultLines.cancelled(request.customId(), stop, JobService.instance(ref.job())))));
    }

    /** A message that reached the delivery limit: its request fails with the last reason it was returned for. */
    @Override
    public Mono<Void> dead(WorkMessage message, String reason) {
        RequestRef ref = message.ref();
        return store.request(ref).flatMap(request -> store.lastError(ref)
                        .map(problem -> ResultLines.error(request.customId(), problem))
                        .switchIfEmpty(Mono.fromSupplier(() -> ResultLines.error(request.customId(),
                                ResultLines.json(Problems.of(ProblemType.DELIVERY_LIMIT, "the request failed on each of "
                                        + "its deliveries (" + reason + ")", JobService.instance(ref.job()))))))
                        .flatMap(line -> finish(ref, new RequestOutcome(RequestOutcome.Kind.FAILED, line))))
                .then(discard(ref));
    }

    private Mono<Void> finish(RequestRef ref, RequestOutcome outcome) {
        return store.finish(ref, outcome, clock.instant()).flatMap(stored -> {
            if (!stored) {
                return Mono.empty();
            }
            metrics.finished(outcome.kind());
            return store.find(ref.tenant(), ref.job())
                    .doOnNext(job -> metrics.latency(Duration.between(job.createdAt(), clock.instant())))
                    .then();
        });
    }

    /** Deletes the request's document from the memory service; a failure is logged (its TTL ends it). */
    private Mono<Void> discard(RequestRef ref) {
        return memory.delete(ref.tenant(), document(ref))
                .onErrorResume(e -> {
                    log.info("could not delete document {} of job request {}: {}", document(ref), ref, e.getMessage());
                    return Mono.empty();
                })
                .then();
    }

    private static SummaryRequest summaryRequest(JobRequest request) {
        return new SummaryRequest(request.text(), request.model(), request.mode(), request.sentences(), request.words());
    }

    /** The journal of one slice: answers recorded in the job store under this delivery's lease. */
    private final class Journal implements SummaryJournal {

        private final RequestRef ref;
        private final String owner;
        private final List<byte[]> recorded;
        private final Instant sliceEnd;
        /** Segments recorded in this slice: a slice records at least one, so that every delivery makes progress. */
        private volatile int recordedNow;

        Journal(RequestRef ref, String owner, List<byte[]> recorded, Instant sliceEnd) {
            this.ref = ref;
            this.owner = owner;
            this.recorded = recorded;
            this.sliceEnd = sliceEnd;
        }

        @Override
        public List<byte[]> recorded() {
            return recorded;
        }

        @Override
        public Mono<Void> record(long segment, byte[] answer) {
            return store.record(ref, owner, segment, answer, clock.instant(), settings.lease()).flatMap(recorded ->
                    switch (recorded) {
                        case KEPT -> Mono.<Void>fromRunnable(() -> recordedNow++);
                        case STOPPING -> Mono.<Void>error(new JobStoppedException());
                        case LOST -> Mono.<Void>error(new LeaseLostException());
                    });
        }

        @Override
        public boolean pause() {
            return recordedNow > 0 && !clock.instant().isBefore(sliceEnd);
        }
    }

    /** The worker's lease of a request was taken over (or its job deleted): it stops at once. */
    static final class LeaseLostException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LeaseLostException() {
            super("the lease of a job request was lost", null, false, false);
        }
    }

    /** The request's job was cancelled or expired: it stops, with its cancelled result. */
    static final class JobStoppedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        JobStoppedException() {
            super("the job was stopped", null, false, false);
        }
    }
}
