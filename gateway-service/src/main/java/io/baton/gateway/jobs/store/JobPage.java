package io.baton.gateway.jobs.store;

import java.util.List;

/**
 * A page of a tenant's jobs, newest first.
 *
 * @param jobs the jobs
 * @param next the cursor of the next page, or null at the end
 */
public record JobPage(List<JobRecord> jobs, String next) {
}
