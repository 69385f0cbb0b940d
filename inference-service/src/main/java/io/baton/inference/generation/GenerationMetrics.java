package io.baton.inference.generation;

import io.baton.protocol.problems.BatonException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The generations' meters (docs/observability.md), OpenTelemetry's GenAI server metrics with
 * {@code gen_ai.operation.name=generate}:
 * <ul>
 *   <li>{@code gen_ai.server.time_to_first_token{gen_ai.operation.name, gen_ai.request.model}}
 *       (seconds, histogram): from the request to its first new token (checkpoint loaded, prompt
 *       run, token picked);
 *   <li>{@code gen_ai.server.request.duration{gen_ai.operation.name, gen_ai.request.model,
 *       error.type}} (seconds, histogram): to the last token, or to the failure;
 *   <li>{@code baton.tokens{operation=generate, gen_ai.request.model, gen_ai.token.type}}: prompt
 *       tokens ({@code input}) and new tokens ({@code output}).
 * </ul>
 */
final class GenerationMetrics {

    private static final String OPERATION = "generate";

    private final MeterRegistry registry;

    GenerationMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void firstToken(String model, long startedNanos) {
        Timer.builder("gen_ai.server.time_to_first_token").tag("gen_ai.operation.name", OPERATION)
                .tag("gen_ai.request.model", model).description("time to generate the first token")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60)).register(registry)
                .record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }

    void finished(String model, long startedNanos, int promptTokens, long newTokens, Throwable error) {
        Timer.builder("gen_ai.server.request.duration").tag("gen_ai.operation.name", OPERATION)
                .tag("gen_ai.request.model", model)
                .tag("error.type", error == null ? "" : error instanceof BatonException baton ? baton.type().slug()
                        : error.getClass().getSimpleName())
                .description("GenAI server request duration").publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(120))
                .register(registry).record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
        tokens(model, "input").increment(promptTokens);
        tokens(model, "output").increment(newTokens);
    }

    private Counter tokens(String model, String type) {
        return Counter.builder("baton.tokens").tag("operation", OPERATION).tag("gen_ai.request.model", model)
                .tag("gen_ai.token.type", type).baseUnit("tokens").description("tokens processed").register(registry);
    }
}
