package io.baton.gateway.pipeline;

import io.baton.gateway.GatewayProperties;
import io.baton.protocol.inference.InferenceClient;
import io.baton.gateway.segmenting.ModelTokenizers;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The gateway's pipeline beans: the models' tokenizers and the per-document pipeline. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(GatewayProperties.class)
public class PipelineConfiguration {

    @Bean(destroyMethod = "close")
    ModelTokenizers modelTokenizers(GatewayProperties properties) {
        return new ModelTokenizers(properties.models().dir(), properties.models().defaultModel());
    }

    @Bean
    DocumentPipeline documentPipeline(InferenceClient inference, GatewayProperties properties) {
        GatewayProperties.Pipeline settings = properties.pipeline();
        return new DocumentPipeline(inference, new DocumentGate(settings.concurrency(), settings.maxWaiting(),
                settings.maxWait()), settings.segmentsInFlight());
    }
}
