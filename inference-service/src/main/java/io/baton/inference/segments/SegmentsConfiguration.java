package io.baton.inference.segments;

import io.baton.inference.InferenceProperties;
import io.baton.inference.admission.Admission;
import io.baton.inference.models.ModelRegistry;
import io.baton.inference.runtime.OnnxScheduler;
import io.baton.inference.state.StateCache;
import io.baton.protocol.memory.MemoryClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;

/**
 * The segment pipeline's beans: the batcher on the ONNX runner scheduler, the cache of the states
 * this instance stored (swept for idle states), and the service with its bounds; batch segments
 * get their share ({@code baton.admission.batch-share}) of the queue and of the segments in flight.
 */
@Configuration(proxyBeanMethods = false)
public class SegmentsConfiguration {

    @Bean
    SegmentMetrics segmentMetrics(MeterRegistry registry, InferenceProperties properties) {
        return new SegmentMetrics(registry, properties.batching().maxBatch());
    }

    /** Where each model's states live between segments (baton.onnx.resident-states), chosen and logged at start-up. */
    @Bean(destroyMethod = "close")
    SegmentRunners segmentRunners(ModelRegistry models, InferenceProperties properties) {
        return SegmentRunners.choose(models.all(), properties.onnx(), properties.batching().maxBatch());
    }

    @Bean
    SegmentBatcher segmentBatcher(InferenceProperties properties, OnnxScheduler runner, SegmentRunners runners,
                                  SegmentMetrics metrics, ApplicationEventPublisher events) {
        InferenceProperties.Batching batching = properties.batching();
        SegmentBatcher batcher = new SegmentBatcher(batching.maxBatch(), batching.maxWait(), batching.maxQueued(),
                properties.admission().batchPlaces(batching.maxQueued()),
                new SegmentBatcher.Yield(batching.interactiveQuiet(), batching.batchMaxYield()), runner.scheduler(),
                runners);
        batcher.observeBatches(metrics::batch);
        // A lost device (a sticky CUDA error) fails every later run: liveness goes down so the replica is restarted.
        batcher.onDeviceLost(e -> AvailabilityChangeEvent.publish(events, batcher, LivenessState.BROKEN));
        return batcher;
    }

    @Bean
    StateCache stateCache(InferenceProperties properties, MeterRegistry registry) {
        StateCache cache = new StateCache(properties.stateCache().maxBytes().toBytes(), properties.stateCache().idleExpiry());
        SegmentMetrics.bind(cache, registry);
        return cache;
    }

    /**
     * Sweeps the state cache for idle states a few times per idle expiry, so that they leave even
     * when no segment comes to sweep them as it goes.
     */
    @Bean(destroyMethod = "dispose")
    Disposable stateCacheSweep(StateCache stateCache, InferenceProperties properties) {
        long every = Math.max(Duration.ofSeconds(1).toMillis(), properties.stateCache().idleExpiry().toMillis() / 4);
        return Schedulers.parallel().schedulePeriodically(stateCache::expire, every, every, TimeUnit.MILLISECONDS);
    }

    @Bean
    SegmentService segmentService(ModelRegistry models, MemoryClient memory, SegmentBatcher batcher,
                                  StateCache stateCache, InferenceProperties properties, SegmentMetrics metrics) {
        InferenceProperties.Segments segments = properties.segments();
        int batchInFlight = properties.admission().batchPlaces(segments.maxInFlight());
        return new SegmentService(models::resolve, memory, batcher, stateCache,
                new SegmentService.Limits(segments.maxTokens(), segments.maxSentences(), segments.maxSentenceCoverage(),
                        segments.pipelineWait(), segments.putAheadWait(), segments.maxPutsAhead()),
                new Admission("segments", segments.maxInFlight(), batchInFlight), metrics);
    }
}
