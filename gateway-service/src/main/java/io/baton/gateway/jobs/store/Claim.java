package io.baton.gateway.jobs.store;

import java.time.Instant;

/**
 * The answer to a worker that asked to run a request.
 *
 * @param kind      what the worker may do
 * @param attempt   for {@link Kind#CLAIMED}: how many times the request was claimed, this one included
 * @param heldUntil for {@link Kind#HELD}: when the other worker's lease runs out unless renewed
 */
public record Claim(Kind kind, int attempt, Instant heldUntil) {

    /** What a claim found. */
    public enum Kind {
        /** The request is this worker's until its lease runs out; it runs it. */
        CLAIMED,
        /** The request has its result already (a repeated message): nothing to do. */
        FINISHED,
        /** Another worker holds the request's lease. */
        HELD,
        /** The job was cancelled or expired: the worker gives the request its cancelled result ({@link JobStore#finish}). */
        STOPPED,
        /** No such job (deleted, or expired and gone). */
        GONE
    }

    public static Claim of(Kind kind) {
        return new Claim(kind, 0, null);
    }
}
