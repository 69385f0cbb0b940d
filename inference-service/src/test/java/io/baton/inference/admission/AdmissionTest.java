package io.baton.inference.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** Requests beyond the bound are refused at once; a place comes back however its request ends. */
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
}
