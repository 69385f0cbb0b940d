package io.baton.gateway.jobs.queue;

import io.baton.gateway.jobs.store.RequestRef;

/**
 * A message of the job queue: run request {@code ref} (from where its recorded answers left it).
 * It names the request only; the text is in the job store.
 *
 * @param ref         the request
 * @param requestId   the {@code X-Request-Id} of the submission, sent on with every call the work makes
 * @param traceparent the W3C trace context of the submission, or null
 */
public record WorkMessage(RequestRef ref, String requestId, String traceparent) {
}
