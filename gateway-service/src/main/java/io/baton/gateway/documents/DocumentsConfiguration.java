package io.baton.gateway.documents;

import io.baton.gateway.GatewayProperties;
import io.baton.gateway.inference.InferenceClient;
import io.baton.gateway.pipeline.DocumentPipeline;
import io.baton.gateway.segmenting.ModelTokenizers;
import io.baton.inference.state.HttpMemoryClient;
import io.baton.inference.state.MemoryClient;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The documents service, and in distributed mode the memory service's HTTP client (timeouts,
 * retries, circuit breaker); standalone mode defines an in-process {@link MemoryClient} instead.
 */
@Configuration(proxyBeanMethods = false)
public class DocumentsConfiguration {

    private static final Logger log = LoggerFactory.getLogger(DocumentsConfiguration.class);

    /** Largest checkpoint read back (the documents API reads the head's to digest it). */
    static final int MAX_CHECKPOINT_BYTES = 64 * 1024 * 1024;

    @Bean
    DocumentService documentService(DocumentPipeline pipeline, ModelTokenizers tokenizers, InferenceClient inference,
                                    MemoryClient memory, GatewayProperties properties) {
        return new DocumentService(pipeline, tokenizers, inference, memory, new DocumentLeases(), properties);
    }

    @Bean
    @ConditionalOnProperty(name = "baton.mode", havingValue = "distributed", matchIfMissing = true)
    MemoryClient httpMemoryClient(GatewayProperties properties) {
        GatewayProperties.Memory memory = properties.memory();
        CircuitBreaker breaker = CircuitBreaker.of("memory-service", HttpMemoryClient.breakerConfig()
                .failureRateThreshold(50)
                .slidingWindowSize(20)
                .minimumNumberOfCalls(10)
                .waitDurationInOpenState(memory.breakerOpenFor())
                .build());
        log.info("memory service at {} (timeout {}, {} retries)", memory.url(), memory.timeout(), memory.retries());
        return HttpMemoryClient.create(memory.url(), MAX_CHECKPOINT_BYTES, memory.timeout(), memory.retries(),
                memory.retryBackoff(), breaker);
    }
}
