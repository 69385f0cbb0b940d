package io.baton.gateway.summarize;

import io.baton.gateway.GatewayProperties;
import io.baton.gateway.pipeline.DocumentPipeline;
import io.baton.gateway.segmenting.ModelTokenizers;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The summary service bean. */
@Configuration(proxyBeanMethods = false)
public class SummaryConfiguration {

    @Bean
    SummaryService summaryService(DocumentPipeline pipeline, ModelTokenizers tokenizers, GatewayProperties properties) {
        return new SummaryService(pipeline, tokenizers, properties);
    }
}
