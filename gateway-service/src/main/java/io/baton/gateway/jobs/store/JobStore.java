package io.baton.gateway.jobs.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Where jobs, their requests, their results and the work in progress live: Redis in distributed
 * mode ({@code redis.RedisJobStore}), memory in standalone mode ({@link InMemoryJobStore}). Both
 * pass the same contract suite.
 *
 * <p>Each request is {@code pending} (no worker holds it), {@code running} (a worker holds its
 * lease) or finished (it has its one result). Every method that changes a request is atomic, so
 * that whatever a queue redelivers and however many workers see the same request:
 * <ul>
 *   <li>a request gets one result, stored once ({@link #finish}), and the job's counts and status
 *       move with it;
 *   <li>one worker at a time runs a request: a claim takes a lease that the holder renews with
 *       each recorded segment ({@link #record}) or {@link #renew}; a worker whose lease ran out
 *       and was taken is told {@link Recorded#LOST};
 *   <li>no request starts after a cancel returned ({@link #stop}): a claim of a stopped job
 *       answers {@link Claim.Kind#STOPPED}, and the worker finishes the request as cancelled.
 * </ul>
 * A segment's answer recorded by the holder stays until the request finishes, so another worker
 * resumes a request from its last recorded segment ({@link #answers}).
 *
 * <p>A job is gone (never found, listed or active; its requests {@link Claim.Kind#GONE}) once it is
 * finished ({@link JobStatus#finished()}) and its {@code expiresAt} has passed. A job not finished by
 * its {@code expiresAt} stays for the gateway to stop it as expired ({@link Stop#EXPIRE}); if none
 * does, it is gone one retention after its {@code expiresAt}. Times are kept to the millisecond.
 * A request index outside the job is answered as a request of no job.
 */
public interface JobStore {

    /**
     * Stores a new job, its requests pending, status {@code queued}, not yet published. With an
     * idempotency key that an earlier job of the tenant (not deleted, not gone) was created with,
     * stores nothing and answers that job, whose {@link JobRecord#bodyDigest()} the caller compares.
     */
    Mono<Submitted> create(NewJob job);

    /** A job of {@code tenant}; empty when there is none (never another tenant's). */
    Mono<JobRecord> find(String tenant, String id);

    /**
     * The tenant's jobs, newest first ({@code createdAt}, then the id, both descending), {@code limit}
     * at most, after the cursor {@code after}: null for the newest, else the id of the last job of the
     * previous page ({@link JobPage#next()}, null after the last page). A cursor that names no job of
     * the tenant (deleted or gone since) gives an empty page.
     */
    Mono<JobPage> list(String tenant, String after, int limit);

    /** Notes that every request of the job has its first message in the queue. */
    Mono<Void> published(String tenant, String id);

    /** A request of a job; empty when the job or the request is not there. */
    Mono<JobRequest> request(RequestRef ref);

    /**
     * Asks to run a request as {@code owner} until {@code now + lease}. A pending request, or one
     * whose holder's lease ran out, is claimed ({@link Claim.Kind#CLAIMED}; the job becomes
     * {@code in_progress} and gets its {@code startedAt} if it was queued). A request that the same
     * owner holds is claimed again.
     */
    Mono<Claim> claim(RequestRef ref, String owner, Instant now, Duration lease);

    /** Renews the owner's lease of a running request; false when it is no longer the owner's. */
    Mono<Boolean> renew(RequestRef ref, String owner, Instant now, Duration lease);

    /**
     * Records the answer to segment {@code segment} of a request the owner holds, and renews the
     * lease. Segments are recorded in order from 0; recording one again replaces it.
     */
    Mono<Recorded> record(RequestRef ref, String owner, long segment, byte[] answer, Instant now, Duration lease);

    /** The answers recorded for a request, segment 0 first. */
    Mono<List<byte[]>> answers(RequestRef ref);

    /**
     * Drops the recorded answers of a request the owner holds, so that it runs again from its first
     * segment: once per request (after the state store lost its document). True when this call
     * dropped them; false when the owner does not hold the request or it was started over before.
     */
    Mono<Boolean> restart(RequestRef ref, String owner);

    /**
     * Gives a running request back: pending again, lease dropped, with the reason (null for none)
     * kept as its last error. Only the owner can; false otherwise.
     */
    Mono<Boolean> release(RequestRef ref, String owner, String lastError);

    /** The last error a worker released the request with, or empty. */
    Mono<String> lastError(RequestRef ref);

    /**
     * Stores a request's result, once: true when this call stored it, false when it already had
     * one (or the job is gone). Its recorded answers are dropped. When it is the job's last, the job
     * finishes: {@code cancelled} or {@code expired} if it was stopped, {@code failed} if every request
     * failed, else {@code completed}, with {@code completedAt = now} and {@code expiresAt = now +
     * retention}.
     */
    Mono<Boolean> finish(RequestRef ref, RequestOutcome outcome, Instant now);

    /**
     * Stops a job that is not finished: {@code cancelling} (or {@code expired}, kept for another
     * retention from now), and every pending request finished with {@code cancelledLine} of its
     * custom id; when none is running, the job is finished at once. A finished or cancelling job is
     * answered as it is. Empty when there is no such job.
     */
    Mono<JobRecord> stop(String tenant, String id, Stop stop, Instant now, CancelledLine cancelledLine);

    /** Deletes a job with its requests, answers and results; false when there was none. */
    Mono<Boolean> delete(String tenant, String id);

    /** The result lines stored so far, in the order the requests finished. */
    Flux<String> results(String tenant, String id);

    /** Every job, of every tenant, whose requests do not all have their result yet ({@code completedAt} null). */
    Flux<JobRecord> active();

    /**
     * The requests of an unfinished job that no message may carry any more: pending ones of a job
     * not {@link #published} more than {@code idle} after it was created, and running ones whose lease
     * ran out more than {@code idle} ago. Each one answered is not answered again for {@code idle}.
     * Empty for a finished job or no job.
     */
    Mono<List<Integer>> orphans(String tenant, String id, Instant now, Duration idle);

    /**
     * The answer to {@link #create}.
     *
     * @param job     the stored job: the new one, or the one created earlier with the same key
     * @param created whether this call created it
     */
    record Submitted(JobRecord job, boolean created) {
    }

    /** Why a job is stopped. */
    enum Stop {
        /** The tenant cancelled it: {@code cancelling}, then {@code cancelled}. */
        CANCEL,
        /** Its retention ran out before it finished: {@code expired}. */
        EXPIRE
    }

    /** The result line of a request given up because its job was stopped. */
    @FunctionalInterface
    interface CancelledLine {
        String of(String customId, Stop stop);
    }
}
