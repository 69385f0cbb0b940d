package io.baton.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.baton.protocol.BatonHeaders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/** The gate's guarantees: arrival order, cancellation leaves the queue, no permit leaks, a bounded queue and wait. */
class DocumentGateTest {

    static final Duration PATIENT = Duration.ofMinutes(5);

    @Test
    void waitersGetPermitsInArrivalOrder() {
        DocumentGate gate = new DocumentGate(1, 10, PATIENT);
        Attempt first = Attempt.of(gate);
        List<Attempt> queued = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            queued.add(Attempt.of(gate));
        }
        assertThat(first.permit()).isNotNull();
        assertThat(gate.waiting()).isEqualTo(4);

        first.permit().releaseNow();
        for (int i = 0; i < queued.size(); i++) {
            assertThat(queued.get(i).permit()).as("waiter %d after %d releases", i, i + 1).isNotNull();
            for (Attempt later : queued.subList(i + 1, queued.size())) {
                assertThat(later.permit()).isNull();
            }
            queued.get(i).permit().releaseNow();
        }
        assertThat(gate.inUse()).isZero();
        assertThat(gate.mostInUse()).isOne();
    }

    @Test
    void aCancelledWaiterLeavesTheQueueAndLeaksNoPermit() {
        DocumentGate gate = new DocumentGate(1, 10, PATIENT);
        Attempt holder = Attempt.of(gate);
        Attempt cancelled = Attempt.of(gate);
        Attempt next = Attempt.of(gate);

        cancelled.subscription.dispose();
        assertThat(gate.waiting()).isOne();
        holder.permit().releaseNow();

        assertThat(cancelled.permit()).isNull();
        assertThat(next.permit()).isNotNull();
        next.permit().releaseNow();
        next.permit().releaseNow();   // twice releases once
        assertThat(gate.inUse()).isZero();
    }

    @Test
    void aFullQueueRefusesAtOnceWithServiceBusy() {
        DocumentGate gate = new DocumentGate(1, 2, PATIENT);
        Attempt holder = Attempt.of(gate);
        Attempt second = Attempt.of(gate);
        Attempt third = Attempt.of(gate);
        Attempt refused = Attempt.of(gate);

        assertThat(second.failure.get()).isNull();
        assertThat(third.failure.get()).isNull();
        assertThat(refused.failure.get()).isInstanceOf(ServiceBusyException.class)
                .hasMessageContaining("baton.pipeline.max-waiting");
        ServiceBusyException busy = (ServiceBusyException) refused.failure.get();
        assertThat(busy.status()).isEqualTo(503);
        assertThat((Long) busy.properties().get(BatonHeaders.RETRY_AFTER_MEMBER))
                .isBetween(1L, DocumentGate.LONGEST_RETRY_AFTER);
        assertThat(gate.waiting()).isEqualTo(2);

        // The refusal took no place: the queue drains as before.
        holder.permit().releaseNow();
        second.permit().releaseNow();
        third.permit().releaseNow();
        assertThat(gate.inUse()).isZero();
        assertThat(gate.mostWaiting()).isEqualTo(2);
    }

    @Test
    void noQueueAtAllRefusesEveryoneBeyondThePermits() {
        DocumentGate gate = new DocumentGate(2, 0, PATIENT);
        Attempt a = Attempt.of(gate);
        Attempt b = Attempt.of(gate);
        Attempt c = Attempt.of(gate);
        assertThat(a.permit()).isNotNull();
        assertThat(b.permit()).isNotNull();
        assertThat(c.failure.get()).isInstanceOf(ServiceBusyException.class);
    }

    @Test
    void aWaiterThatWaitsTooLongFailsLeavesTheQueueAndNeverGetsAPermit() {
        DocumentGate gate = new DocumentGate(1, 10, Duration.ofMillis(50));
        Attempt holder = Attempt.of(gate);
        Attempt waiter = Attempt.of(gate);

        await().atMost(Duration.ofSeconds(30)).until(() -> waiter.failure.get() != null);
        assertThat(waiter.failure.get()).isInstanceOf(ServiceBusyException.class)
                .hasMessageContaining("baton.pipeline.max-wait");
        assertThat(gate.waiting()).isZero();

        holder.permit().releaseNow();
        assertThat(waiter.permit()).isNull();
        assertThat(gate.inUse()).isZero();
        // The gate still works.
        Attempt after = Attempt.of(gate);
        assertThat(after.permit()).isNotNull();
        after.permit().releaseNow();
        assertThat(gate.inUse()).isZero();
    }

    @Test
    void aGrantedWaiterIsNotTimedOutLater() {
        DocumentGate gate = new DocumentGate(1, 10, Duration.ofMillis(200));
        Attempt holder = Attempt.of(gate);
        Attempt waiter = Attempt.of(gate);
        holder.permit().releaseNow();
        assertThat(waiter.permit()).isNotNull();

        // Past its wait bound, holding its permit: nothing fails it and the permit stays held.
        Attempt probe = Attempt.of(gate);
        await().atMost(Duration.ofSeconds(30)).until(() -> probe.failure.get() != null);
        assertThat(waiter.failure.get()).isNull();
        assertThat(gate.inUse()).isOne();
        waiter.permit().releaseNow();
        assertThat(gate.inUse()).isZero();
    }

    /** One subscribed {@link DocumentGate#acquire()}: what it got. */
    private record Attempt(AtomicReference<DocumentGate.Permit> granted, AtomicReference<Throwable> failure,
                           Disposable subscription) {

        static Attempt of(DocumentGate gate) {
            AtomicReference<DocumentGate.Permit> granted = new AtomicReference<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Disposable subscription = gate.acquire().subscribe(granted::set, failure::set);
            return new Attempt(granted, failure, subscription);
        }

        DocumentGate.Permit permit() {
            return granted.get();
        }
    }
}
