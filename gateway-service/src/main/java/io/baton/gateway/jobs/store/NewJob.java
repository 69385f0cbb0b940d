package io.baton.gateway.jobs.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A job to store.
 *
 * @param tenant         whose job it is
 * @param id             a fresh job id
 * @param createdAt      now
 * @param retention      how long the job and its results are kept: it expires {@code retention}
 *                       after {@code createdAt} unless finished, and is deleted {@code retention}
 *                       after it finished
 * @param metadata       the caller's metadata, a JSON object as text
 * @param idempotencyKey the caller's {@code Idempotency-Key}, or null
 * @param bodyDigest     the digest of the requests and metadata
 * @param requests       the requests, at least one, their custom ids unique
 */
public record NewJob(String tenant, String id, Instant createdAt, Duration retention, String metadata,
                     String idempotencyKey, String bodyDigest, List<JobRequest> requests) {

    public NewJob {
        requests = List.copyOf(requests);
    }
}
