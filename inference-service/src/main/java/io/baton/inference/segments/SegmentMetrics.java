package io.baton.inference.segments;

import io.baton.inference.models.SegmentOutput;
import io.baton.inference.segments.SegmentTimings.Step;
import io.baton.inference.state.StateCache;
import io.baton.protocol.inference.SegmentRequest;
import io.baton.protocol.inference.SegmentResponse;
import io.baton.protocol.problems.BatonException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * The segment pipeline's meters (on {@code /actuator/prometheus}; docs/observability.md):
 * <ul>
 *   <li>{@code baton.segment.duration{step}} (seconds, histogram): each step of a segment that
 *       succeeded, as {@link SegmentTimings} records it ({@code state}, {@code queue}, {@code run},
 *       {@code store}, {@code readout});
 *   <li>{@code gen_ai.server.request.duration{gen_ai.operation.name, gen_ai.request.model,
 *       error.type}} (seconds, histogram): OpenTelemetry's GenAI server metric, for a whole segment
 *       request ({@code gen_ai.operation.name=segment}), failures with their {@code error.type};
 *   <li>{@code baton.tokens{operation, gen_ai.request.model, gen_ai.token.type}}: tokens read by
 *       segments that succeeded (their rate is tokens per second);
 *   <li>{@code baton.inference.batch.size} (segments, histogram with a bucket at every size from 1 to
 *       {@code baton.batching.max-batch}): the segments of each model run; the exact buckets give the
 *       batch fill as well as the mean (the share of segments in full runs, the mean batch a segment ran in);
 *   <li>{@code baton.inference.state.moved{direction}} (bytes, histogram): the state each
 *       segment's run copied into ONNX Runtime ({@code in}: its {@code past*} inputs) and out of
 *       it ({@code out}: its {@code present*} outputs);
 *   <li>{@code baton.segment.pipelined{outcome}}: segments that arrived while their predecessor was
 *       in flight here and ran from its state ({@code followed}), or started over because the
 *       predecessor was not stored as that state ({@code started-over});
 *   <li>{@code baton.segment.put.ahead{outcome}}: followers' checkpoints put before their
 *       predecessor's put was answered, naming the digest it gets when stored as sent: stored so
 *       ({@code stored}), or refused and put again once the predecessor's was answered ({@code fell-back});
 *   <li>{@code baton.state.cache.lookups{result}} ({@code hit}, {@code miss}) and {@code
 *       baton.state.cache.size} (bytes): this instance's copy of the states it stored.
 * </ul>
 */
public final class SegmentMetrics {

    /** The GenAI semantic conventions' attribute names. */
    static final String OPERATION = "gen_ai.operation.name";
    static final String MODEL = "gen_ai.request.model";
    static final String TOKEN_TYPE = "gen_ai.token.type";
    static final String ERROR_TYPE = "error.type";

    private final MeterRegistry registry;
    private final Map<Step, Timer> steps = new EnumMap<>(Step.class);
    private final DistributionSummary batchSize;
    private final DistributionSummary stateIn;
    private final DistributionSummary stateOut;

    /** The service's meters; {@code maxBatch}: the most segments one run takes (the batch size's last bucket). */
    public SegmentMetrics(MeterRegistry registry, int maxBatch) {
        this.registry = registry;
        for (Step step : Step.values()) {
            steps.put(step, Timer.builder("baton.segment.duration").tag("step", step.label)
                    .description("time a segment spent in one step of the pipeline")
                    .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(60)).register(registry));
        }
        batchSize = DistributionSummary.builder("baton.inference.batch.size").baseUnit("segments")
                .description("segments in each model run")
                .serviceLevelObjectives(IntStream.rangeClosed(1, maxBatch).asDoubleStream().toArray()).register(registry);
        stateIn = stateMoved(registry, "in");
        stateOut = stateMoved(registry, "out");
    }

    private static DistributionSummary stateMoved(MeterRegistry registry, String direction) {
        return DistributionSummary.builder("baton.inference.state.moved").baseUnit("bytes").tag("direction", direction)
                .description("bytes of state a segment's run copied into (in) or out of (out) ONNX Runtime")
                .publishPercentileHistogram().minimumExpectedValue(1024.0).maximumExpectedValue(1024.0 * 1024 * 1024)
                .register(registry);
    }

    /** A segment that succeeded: its steps, its duration, its tokens. */
    void succeeded(SegmentRequest request, SegmentResponse response, SegmentTimings timings) {
        timings.steps().forEach((step, nanos) -> steps.get(step).record(nanos, TimeUnit.NANOSECONDS));
        requestDuration(response.model(), "").record(timings.elapsedNanos(), TimeUnit.NANOSECONDS);
        Counter.builder("baton.tokens").tag("operation", "segment").tag(MODEL, response.model())
                .tag(TOKEN_TYPE, "input").baseUnit("tokens").description("tokens processed")
                .register(registry).increment(request.tokens().length);
    }

    /** A segment that failed: its duration, by the problem it ended with. */
    void failed(SegmentRequest request, Throwable error, SegmentTimings timings) {
        requestDuration(request.model() == null ? "" : request.model(), errorType(error))
                .record(timings.elapsedNanos(), TimeUnit.NANOSECONDS);
    }

    /** A model run of {@code size} segments. */
    void batch(int size) {
        batchSize.record(size);
    }

    /** A segment that ran from its predecessor in flight: stored ({@code followed}) or not ({@code started-over}). */
    void pipelined(String outcome) {
        Counter.builder("baton.segment.pipelined").tag("outcome", outcome)
                .description("segments that ran from their predecessor's state while it was being stored")
                .register(registry).increment();
    }

    /**
     * A follower's checkpoint put ahead of its predecessor's answer: {@code stored} or {@code fell-back}
     * (refused, put again after the answer); or {@code limited}, not put ahead because its document had
     * {@code baton.segments.max-puts-ahead} puts ahead unanswered.
     */
    void putAhead(String outcome) {
        Counter.builder("baton.segment.put.ahead").tag("outcome", outcome)
                .description("checkpoints put before their predecessor's put was answered")
                .register(registry).increment();
    }

    /** The state one segment's run moved into and out of ONNX Runtime. */
    void stateMoved(SegmentOutput.StateBytes moved) {
        stateIn.record(moved.in());
        stateOut.record(moved.out());
    }

    /** The state cache's lookups and size. */
    public static void bind(StateCache cache, MeterRegistry registry) {
        FunctionCounter.builder("baton.state.cache.lookups", cache, StateCache::hits).tag("result", "hit")
                .description("state cache lookups that found the state asked for").register(registry);
        FunctionCounter.builder("baton.state.cache.lookups", cache, StateCache::misses).tag("result", "miss")
                .description("state cache lookups that found nothing or another segment's state").register(registry);
        Gauge.builder("baton.state.cache.size", cache, StateCache::bytes).baseUnit("bytes")
                .description("bytes of the tensors the state cache keeps").register(registry);
    }

    private Timer requestDuration(String model, String errorType) {
        return Timer.builder("gen_ai.server.request.duration").tag(OPERATION, "segment").tag(MODEL, model)
                .tag(ERROR_TYPE, errorType).description("GenAI server request duration")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(120)).register(registry);
    }

    /** The problem type's slug of a Baton failure, else the exception's class. */
    static String errorType(Throwable error) {
        return error instanceof BatonException baton ? baton.type().slug() : error.getClass().getSimpleName();
    }
}
