package io.baton.memory.checkpoints;

import io.baton.memory.store.CheckpointConflictException;
import io.baton.memory.store.HeadMismatchException;
import io.baton.memory.store.ParentMismatchException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;

/**
 * The checkpoint store's meters as the memory service sees it (on {@code /actuator/prometheus};
 * docs/observability.md):
 * <ul>
 *   <li>{@code baton.state.store.duration{operation, outcome}} (seconds, histogram): each call to
 *       the store ({@code read}, {@code write}, {@code head}, {@code fork}, {@code delete}), its
 *       outcome {@code success} or {@code error} (a refusal such as a conflict is an error too);
 *   <li>{@code baton.state.stored} (bytes, histogram): the stored (encoded) size of each checkpoint
 *       a put wrote; its sum is the state bytes written, its count the checkpoints;
 *   <li>{@code baton.state.conflicts{reason}}: compare-and-set writes refused ({@code checkpoint}:
 *       another checkpoint n is there, {@code parent}: the kept n-1 is not the writer's parent,
 *       {@code head}: a conditional delete found another head);
 *   <li>{@code baton.state.parent.wait{outcome}} (seconds, histogram): how long a put sent ahead
 *       of its parent waited for it, {@code stored} or {@code refused} when the wait ran out, or
 *       {@code full} when it did not wait because the bodies waiting were at their bound;
 *       {@code baton.state.parent.waiting} (registered by {@link CheckpointService}): those waiting now.
 * </ul>
 */
public final class StoreMetrics {

    private final MeterRegistry registry;
    private final DistributionSummary stored;

    public StoreMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.stored = DistributionSummary.builder("baton.state.stored").baseUnit("bytes")
                .description("stored size of each checkpoint written").publishPercentileHistogram()
                .minimumExpectedValue(1024.0).maximumExpectedValue(1024.0 * 1024 * 1024).register(registry);
        for (String reason : new String[] {"checkpoint", "parent", "head"}) {
            conflicts(reason);
        }
    }

    /** {@code call} timed as {@code operation}; its compare-and-set refusals counted. */
    <T> Mono<T> timed(String operation, Mono<T> call) {
        return Mono.defer(() -> {
            long started = System.nanoTime();
            return call.doOnEach(signal -> {
                if (signal.isOnComplete() || signal.isOnError()) {
                    duration(operation, signal.isOnError() ? "error" : "success")
                            .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                }
                if (signal.isOnError()) {
                    conflict(signal.getThrowable());
                }
            });
        });
    }

    /**
     * A put that found the head behind its parent and waited from {@code since} ({@link
     * System#nanoTime()}) until its parent was stored ({@code stored}) or its wait ran out
     * ({@code refused}); or that did not wait, the bodies waiting being at their bound ({@code full}).
     */
    void parentWait(long since, String outcome) {
        Timer.builder("baton.state.parent.wait").tag("outcome", outcome)
                .description("a put's wait for its parent, sent ahead of it, to be stored")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry)
                .record(System.nanoTime() - since, TimeUnit.NANOSECONDS);
    }

    /** A checkpoint of {@code bytes} stored bytes was written. */
    void written(long bytes) {
        stored.record(bytes);
    }

    private void conflict(Throwable error) {
        if (error instanceof CheckpointConflictException) {
            conflicts("checkpoint").increment();
        } else if (error instanceof ParentMismatchException) {
            conflicts("parent").increment();
        } else if (error instanceof HeadMismatchException) {
            conflicts("head").increment();
        }
    }

    private Counter conflicts(String reason) {
        return Counter.builder("baton.state.conflicts").tag("reason", reason)
                .description("compare-and-set writes the store refused").register(registry);
    }

    private Timer duration(String operation, String outcome) {
        return Timer.builder("baton.state.store.duration").tag("operation", operation).tag("outcome", outcome)
                .description("a call to the checkpoint store").publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }
}
