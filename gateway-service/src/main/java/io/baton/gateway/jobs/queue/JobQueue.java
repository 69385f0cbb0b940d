package io.baton.gateway.jobs.queue;

import reactor.core.publisher.Mono;

/**
 * The queue of work messages between the gateway that accepted a job and the workers that run its
 * requests: RabbitMQ when {@code BATON_RABBITMQ_URL} is set ({@link RabbitJobQueue}), this JVM's
 * memory otherwise ({@link InProcessJobQueue}), with the same semantics:
 * <ul>
 *   <li>a published message is durable once {@link #publish} completes (RabbitMQ: the broker
 *       confirmed it);
 *   <li>a message is delivered to one worker at a time, at most {@code consumers x prefetch} at
 *       once per instance, and stays unacknowledged until the worker's answer: {@link
 *       Settlement#ACK} removes it, {@link Settlement#REQUEUE} (or the worker's death) returns it;
 *   <li>a message returned {@code delivery-limit} times goes to the {@link DeadLetters} instead.
 * </ul>
 */
public interface JobQueue extends AutoCloseable {

    /** Publishes {@code message}; completes when it is durable. */
    Mono<Void> publish(WorkMessage message);

    /** Starts handing messages to {@code worker} and dead letters to {@code deadLetters}. */
    void consume(Worker worker, DeadLetters deadLetters);

    /** The messages waiting (not delivered), and the age of the oldest, as last seen. */
    Depth depth();

    /** What the queue is, for the start-up log. */
    String describe();

    @Override
    void close();

    /** What a worker made of a delivery. */
    enum Settlement {
        /** Done with it (finished, paused with a continuation published, or nothing to do). */
        ACK,
        /** Failed for a reason that may pass: deliver it again, up to the limit. */
        REQUEUE
    }

    /** Runs a delivered message; never fails (a failure is a {@link Settlement#REQUEUE}). */
    @FunctionalInterface
    interface Worker {
        Mono<Settlement> handle(Delivery delivery);
    }

    /** Takes a message that reached the delivery limit. */
    @FunctionalInterface
    interface DeadLetters {
        Mono<Void> dead(WorkMessage message, String reason);
    }

    /**
     * @param waiting   messages waiting to be delivered
     * @param oldestAge milliseconds since the oldest of them was published (0 when none)
     */
    record Depth(long waiting, long oldestAge) {
    }
}
