package io.baton.gateway.summarize;

import io.baton.gateway.GatewayProperties;
import io.baton.protocol.inference.InferenceClient;
import io.baton.gateway.pipeline.DocumentPipeline;
import io.baton.gateway.segmenting.ModelTokenizers;
import io.baton.protocol.memory.MemoryClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The summary service bean. */
@Configuration(proxyBeanMethods = false)
public class SummaryConfiguration {

    @Bean
    SummaryService summaryService(DocumentPipeline pipeline, ModelTokenizers tokenizers, InferenceClient inference,
                                  MemoryClient memory, GatewayProperties properties,
                                  ObjectProvider<MeterRegistry> registry) {
        return new SummaryService(pipeline, tokenizers, inference, memory, properties,
                registry.getIfAvailable(SimpleMeterRegistry::new));
    }
}
