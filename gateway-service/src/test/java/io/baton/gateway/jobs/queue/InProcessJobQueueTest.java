package io.baton.gateway.jobs.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.baton.gateway.jobs.store.RequestRef;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** The standalone queue keeps the semantics of the RabbitMQ one: redelivery, a delivery limit, a bound on work at once. */
class InProcessJobQueueTest {

    private InProcessJobQueue queue;

    @AfterEach
    void close() {
        queue.close();
    }

    @Test
    void aReturnedMessageIsDeliveredAgainUntilTheLimitThenDeadLettered() {
        queue = new InProcessJobQueue(10, 1, 3, Clock.systemUTC());
        List<Integer> deliveries = new CopyOnWriteArrayList<>();
        List<String> dead = new CopyOnWriteArrayList<>();
        queue.consume(delivery -> {
            deliveries.add(delivery.delivery());
            return Mono.just(JobQueue.Settlement.REQUEUE);
        }, (message, reason) -> Mono.fromRunnable(() -> dead.add(message.ref().job() + " " + reason)));

        queue.publish(message("j", 0)).block();

        await().atMost(Duration.ofSeconds(10)).until(() -> dead.size() == 1);
        assertThat(deliveries).containsExactly(1, 2, 3);
        assertThat(dead).containsExactly("j delivery-limit");
    }

    @Test
    void aFailingWorkerCountsAsAReturnAndAnAckedMessageIsGone() {
        queue = new InProcessJobQueue(10, 1, 5, Clock.systemUTC());
        AtomicInteger calls = new AtomicInteger();
        queue.consume(delivery -> calls.incrementAndGet() == 1 ? Mono.error(new IllegalStateException("boom"))
                : Mono.just(JobQueue.Settlement.ACK), (message, reason) -> Mono.empty());

        queue.publish(message("j", 0)).block();

        await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 2 && queue.depth().waiting() == 0);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 2);
    }

    @Test
    void noMoreThanItsConcurrencyRunAtOnce() {
        queue = new InProcessJobQueue(100, 2, 5, Clock.systemUTC());
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        queue.consume(delivery -> Mono.fromRunnable(() -> most.accumulateAndGet(running.incrementAndGet(), Math::max))
                .then(Mono.delay(Duration.ofMillis(20)))
                .then(Mono.fromRunnable(() -> {
                    running.decrementAndGet();
                    done.incrementAndGet();
                }))
                .thenReturn(JobQueue.Settlement.ACK), (message, reason) -> Mono.empty());

        for (int i = 0; i < 20; i++) {
            queue.publish(message("j", i)).block();
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> done.get() == 20);
        assertThat(most.get()).isEqualTo(2);
    }

    @Test
    void aFullQueueRefusesWithServiceBusy() {
        queue = new InProcessJobQueue(1, 1, 5, Clock.systemUTC());
        queue.publish(message("j", 0)).block();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> queue.publish(message("j", 1)).block())
                .isInstanceOf(JobQueueException.class);
    }

    private static WorkMessage message(String job, int index) {
        return new WorkMessage(new RequestRef("t", job, index), null, null);
    }
}
