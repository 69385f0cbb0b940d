package io.baton.inference.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.protocol.inference.Priority;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Requests beyond the bound are refused at once; a place comes back however its request ends;
 * batch requests take at most their share of the places, and interactive ones the rest.
 */
class AdmissionTest {

    @Test
    void oneOverTheBoundIsRefusedServiceBusyAndPlacesComeBackOnSuccessFailureAndCancel() {
        Admission admission = new Admission("segments", 2);
        Sinks.One<String> first = Sinks.one();
        Sinks.One<String> second = Sinks.one();
        Mono<String> a = admission.admit(first.asMono()).cache();
        a.subscribe(v -> { }, e -> { });
        Disposable b = admission.admit(second.asMono()).subscribe();
        assertThat(admission.inFlight()).isEqualTo(2);

        assertThatThrownBy(() -> admission.admit(Mono.just("third")).block(Duration.ofSeconds(10)))
                .isInstanceOf(ServiceBusyException.class)
                .hasMessageContaining("2 segments in flight")
                .satisfies(e -> assertThat(((ServiceBusyException) e).status()).isEqualTo(503))
                .satisfies(e -> assertThat(((ServiceBusyException) e).properties()).containsEntry("retryAfter", 1L));
        assertThat(admission.inFlight()).as("a refusal takes no place").isEqualTo(2);

        first.tryEmitError(new IllegalStateException("failed"));
        b.dispose();
        assertThat(admission.inFlight()).as("a failure and a cancellation give their places back").isZero();
        assertThat(admission.admit(Mono.just("after")).block(Duration.ofSeconds(10))).isEqualTo("after");
        assertThat(admission.inFlight()).isZero();

        Admission.Permit permit = admission.enter();
        permit.release();
        permit.release();
        assertThat(admission.inFlight()).as("a permit is released once").isZero();
    }

    @Test
    void batchRequestsTakeAtMostTheirShareAndInteractiveOnesStillGetIn() {
        Admission admission = new Admission("segments", 4, 2);
        Sinks.One<String> held = Sinks.one();
        List<Disposable> batch = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            batch.add(admission.admit(Priority.BATCH, held.asMono()).subscribe());
        }
        assertThat(admission.batchInFlight()).isEqualTo(2);

        assertThatThrownBy(() -> admission.admit(Priority.BATCH, Mono.just("third batch")).block(Duration.ofSeconds(10)))
                .isInstanceOf(ServiceBusyException.class)
                .hasMessageContaining("2 batch segments in flight")
                .hasMessageContaining("baton.admission.batch-share")
                .satisfies(e -> assertThat(((ServiceBusyException) e).properties()).containsEntry("retryAfter", 1L));
        assertThat(admission.inFlight()).as("a refused batch request takes no place").isEqualTo(2);
        assertThat(admission.batchInFlight()).isEqualTo(2);

        Admission.Permit first = admission.enter(Priority.INTERACTIVE);
        Admission.Permit second = admission.enter();
        assertThat(admission.inFlight()).as("interactive requests take the places batch work left").isEqualTo(4);
        assertThatThrownBy(admission::enter).as("the bound holds for both together")
                .isInstanceOf(ServiceBusyException.class)
                .hasMessageContaining("4 segments in flight");

        batch.get(0).dispose();
        assertThat(admission.batchInFlight()).as("a cancelled batch request gives its place back").isEqualTo(1);
        Admission.Permit third = admission.enter();
        assertThatThrownBy(() -> admission.enter(Priority.BATCH)).as("interactive work took the place back")
                .isInstanceOf(ServiceBusyException.class)
                .hasMessageContaining("4 segments in flight");
        assertThat(admission.batchInFlight()).as("a batch request refused by the whole bound takes no place")
                .isEqualTo(1);
        List.of(first, second, third).forEach(Admission.Permit::release);
        assertThat(admission.admit(Priority.BATCH, Mono.just("batch again")).block(Duration.ofSeconds(10)))
                .isEqualTo("batch again");
        held.tryEmitValue("done");
        assertThat(admission.inFlight()).isZero();
        assertThat(admission.batchInFlight()).isZero();
    }
}
