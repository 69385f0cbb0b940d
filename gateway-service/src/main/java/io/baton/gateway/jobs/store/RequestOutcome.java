package io.baton.gateway.jobs.store;

/**
 * A request's result.
 *
 * @param kind what it is
 * @param line its line of the job's results (NDJSON, no line break)
 */
public record RequestOutcome(Kind kind, String line) {

    /** The kinds of result, each counted in {@link JobCounts}. */
    public enum Kind { COMPLETED, FAILED, CANCELLED }
}
