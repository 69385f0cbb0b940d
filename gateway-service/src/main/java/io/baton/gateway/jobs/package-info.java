/**
 * Batch jobs (docs/jobs.md): the API ({@link io.baton.gateway.jobs.JobsController}, {@link
 * io.baton.gateway.jobs.JobService}), the worker that runs a job's requests from wherever the queue
 * delivers them and resumes a request from its last recorded segment ({@link
 * io.baton.gateway.jobs.JobWorker}), the sweeper of orphaned work and expired jobs, the metrics, and
 * their wiring. The store is {@code jobs.store}, the queue {@code jobs.queue}.
 */
package io.baton.gateway.jobs;
