package io.baton.inference.generation;

import io.baton.inference.InferenceProperties;
import io.baton.inference.admission.Admission;
import io.baton.inference.models.ModelRegistry;
import io.baton.inference.runtime.OnnxScheduler;
import io.baton.protocol.memory.MemoryClient;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The generation service on the ONNX runner scheduler, with its bound on generations in flight. */
@Configuration(proxyBeanMethods = false)
public class GenerationConfiguration {

    @Bean
    GenerationService generationService(ModelRegistry models, MemoryClient memory, OnnxScheduler runner,
                                        InferenceProperties properties, MeterRegistry registry) {
        return new GenerationService(models::resolve, memory, runner, properties.generation().maxTokens(),
                properties.segments().maxTokens(),
                new Admission("generations", properties.generation().maxInFlight()), registry);
    }
}
