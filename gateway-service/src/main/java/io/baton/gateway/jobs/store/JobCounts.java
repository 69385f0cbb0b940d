package io.baton.gateway.jobs.store;

/**
 * How many requests a job has, and how many have a result of each kind.
 *
 * @param total     the job's requests
 * @param completed requests with a summary
 * @param failed    requests with an error result
 * @param cancelled requests given up because the job was cancelled or expired
 */
public record JobCounts(int total, int completed, int failed, int cancelled) {

    /** Requests with a result of any kind. */
    public int finished() {
        return completed + failed + cancelled;
    }
}
