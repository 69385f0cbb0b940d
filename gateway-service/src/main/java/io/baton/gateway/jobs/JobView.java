package io.baton.gateway.jobs;

import io.baton.gateway.jobs.store.JobCounts;
import io.baton.gateway.jobs.store.JobRecord;
import io.baton.gateway.jobs.store.JobStatus;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A job as {@code GET /v1/jobs/{id}} answers it.
 *
 * @param id          the job id
 * @param status      queued, in_progress, completed, cancelling, cancelled, expired or failed
 * @param counts      its requests: total, and how many completed, failed, were cancelled
 * @param createdAt   when it was submitted
 * @param startedAt   when its first request started (null before)
 * @param completedAt when its last request finished (null before)
 * @param expiresAt   when the job and its results are deleted
 * @param metadata    what the submission's {@code metadata} held ({@code {}} when none)
 */
@Schema(description = "A batch job")
public record JobView(String id, JobStatus status, JobCounts counts, Instant createdAt, Instant startedAt,
                      Instant completedAt, Instant expiresAt, JsonNode metadata) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    static JobView of(JobRecord job) {
        return new JobView(job.id(), job.status(), job.counts(), job.createdAt(), job.startedAt(), job.completedAt(),
                job.expiresAt(), JSON.readTree(job.metadata()));
    }
}
