package io.baton.gateway.jobs.queue;

import java.time.Instant;

/**
 * A message handed to a worker.
 *
 * @param message     the message
 * @param delivery    1 for its first delivery, more after it was returned (a worker died, or asked
 *                    to try again); at the queue's delivery limit it goes to the dead letters instead
 * @param publishedAt when it was published
 */
public record Delivery(WorkMessage message, int delivery, Instant publishedAt) {
}
