package io.baton.protocol.client;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * The circuit breakers of a service's clients of other services as meters, once every bean is
 * made (every {@link Guarded} bean, whatever type it is declared as; docs/observability.md):
 * <ul>
 *   <li>{@code baton.breaker.state{service, state}}: 1 for the state the breaker of calls to
 *       {@code service} ({@code memory-service}, {@code inference-service}) is in, 0 for the others ({@code
 *       closed}, {@code open}, {@code half_open}, and resilience4j's {@code disabled}, {@code
 *       forced_open}, {@code metrics_only});
 *   <li>{@code baton.breaker.failure.rate{service}}: the failure rate (percent) over its window,
 *       -1 until the window holds its minimum of calls.
 * </ul>
 */
@AutoConfiguration
@ConditionalOnClass(MeterRegistry.class)
public class BreakerMetricsAutoConfiguration {

    @Bean
    SmartInitializingSingleton breakerMetrics(ListableBeanFactory beans, ObjectProvider<MeterRegistry> registry) {
        return () -> registry.ifAvailable(meters -> beans.getBeansOfType(Guarded.class, false, false).values()
                .forEach(client -> bind(client.guard().breaker(), meters)));
    }

    /** Registers {@code breaker}'s meters (once per breaker name: a second client of one service shares them). */
    static void bind(CircuitBreaker breaker, MeterRegistry meters) {
        for (CircuitBreaker.State state : CircuitBreaker.State.values()) {
            Gauge.builder("baton.breaker.state", breaker, b -> b.getState() == state ? 1 : 0)
                    .tag("service", breaker.getName()).tag("state", state.name().toLowerCase(Locale.ROOT))
                    .description("1 for the state the circuit breaker of calls to the service is in")
                    .register(meters);
        }
        Gauge.builder("baton.breaker.failure.rate", breaker, b -> b.getMetrics().getFailureRate())
                .tag("service", breaker.getName()).baseUnit("percent")
                .description("failure rate of calls to the service over the breaker's window; -1 until it is full")
                .register(meters);
    }
}
