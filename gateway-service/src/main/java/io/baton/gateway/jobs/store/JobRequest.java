package io.baton.gateway.jobs.store;

/**
 * One request of a job, as submitted: the fields of {@code POST /v1/summaries} and the caller's
 * {@code customId}, unique in the job.
 */
public record JobRequest(String customId, String text, String model, String mode, Integer sentences,
                         Integer words) {
}
