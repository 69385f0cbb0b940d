package io.baton.gateway.jobs.store;

import java.time.Instant;

/**
 * A job as stored.
 *
 * @param tenant      whose job it is
 * @param id          the job id
 * @param status      where it is
 * @param counts      its requests by result
 * @param createdAt   when it was submitted
 * @param startedAt   when its first request started (null before)
 * @param completedAt when its last request finished (null before)
 * @param expiresAt   when the job and its results are deleted; a job not finished by then expires
 * @param metadata    the caller's metadata, a JSON object as text ({@code {}} when none)
 * @param bodyDigest  the digest of the submitted requests and metadata (idempotent submission)
 * @param published   whether every request's first message was confirmed by the queue
 */
public record JobRecord(String tenant, String id, JobStatus status, JobCounts counts, Instant createdAt,
                        Instant startedAt, Instant completedAt, Instant expiresAt, String metadata,
                        String bodyDigest, boolean published) {
}
