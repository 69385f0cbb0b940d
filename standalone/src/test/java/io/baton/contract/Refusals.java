package io.baton.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.protocol.problems.ProblemType;
import io.baton.protocol.problems.ServiceCallException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Mono;

/** What both contract suites check of a refused call, whichever adapter made it. */
final class Refusals {

    private Refusals() {
    }

    /** Asserts that {@code call} fails with {@code type} and the catalogue's status; returns the failure. */
    static ServiceCallException refusal(Mono<Void> call, ProblemType type) {
        AtomicReference<ServiceCallException> seen = new AtomicReference<>();
        assertThatThrownBy(() -> call.block(Duration.ofSeconds(60))).isInstanceOfSatisfying(ServiceCallException.class,
                e -> {
                    assertThat(e.type()).as(e.getMessage()).isEqualTo(type);
                    assertThat(e.status()).isEqualTo(type.status());
                    seen.set(e);
                });
        return seen.get();
    }
}
