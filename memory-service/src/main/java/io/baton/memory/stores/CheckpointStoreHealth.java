package io.baton.memory.stores;

import io.baton.memory.store.CheckpointStore;
import io.baton.memory.store.DocumentKey;
import java.time.Duration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Whether the checkpoint store answers: the head of a document nobody writes is read (found or
 * not, an answer is up; a failure or no answer within {@link #TIMEOUT} is down). The memory
 * service's readiness group includes it (contributor {@code checkpointStore}: the bean's name less
 * {@code HealthIndicator}), so
 * {@code /actuator/health/readiness} is 503 while Redis is down and traffic goes to replicas that
 * can serve; liveness does not, since restarting the service would not bring Redis back.
 */
@Component("checkpointStoreHealthIndicator")
public class CheckpointStoreHealth implements ReactiveHealthIndicator {

    /** The longest the probe waits for the store. */
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private static final DocumentKey PROBE = new DocumentKey("baton-health", "readiness-probe");

    private final CheckpointStore store;

    public CheckpointStoreHealth(CheckpointStore store) {
        this.store = store;
    }

    @Override
    public Mono<Health> health() {
        return store.head(PROBE)
                .map(head -> Health.up().build())
                .defaultIfEmpty(Health.up().build())
                .timeout(TIMEOUT)
                .onErrorResume(e -> Mono.just(Health.down().withDetail("error", e.getClass().getSimpleName()).build()));
    }
}
