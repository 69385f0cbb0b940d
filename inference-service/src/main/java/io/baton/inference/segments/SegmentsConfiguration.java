package io.baton.inference.segments;

import io.baton.inference.InferenceProperties;
import io.baton.inference.models.ModelRegistry;
import io.baton.inference.runtime.OnnxScheduler;
import io.baton.protocol.memory.MemoryClient;
import io.baton.inference.state.StateCache;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The segment pipeline's beans: the batcher on the ONNX runner scheduler, the cache of the states
 * this instance stored, and the service.
 */
@Configuration(proxyBeanMethods = false)
public class SegmentsConfiguration {

    @Bean
    SegmentBatcher segmentBatcher(InferenceProperties properties, OnnxScheduler runner) {
        return new SegmentBatcher(properties.batching().maxBatch(), properties.batching().maxWait(), runner.scheduler());
    }

    @Bean
    StateCache stateCache(InferenceProperties properties) {
        return new StateCache(properties.stateCache().maxBytes().toBytes());
    }

    @Bean
    SegmentService segmentService(ModelRegistry models, MemoryClient memory, SegmentBatcher batcher,
                                  StateCache stateCache, InferenceProperties properties) {
        return new SegmentService(models::resolve, memory, batcher, stateCache, properties.segments().maxTokens());
    }
}
