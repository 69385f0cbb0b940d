package io.baton.gateway.documents;

import io.baton.gateway.GatewayProperties;
import io.baton.protocol.inference.InferenceClient;
import io.baton.gateway.pipeline.DocumentPipeline;
import io.baton.gateway.segmenting.ModelTokenizers;
import io.baton.protocol.memory.HttpMemoryClient;
import io.baton.protocol.memory.MemoryClient;
import io.baton.protocol.client.ClientSettings;
import io.baton.protocol.client.ServiceWebClients;
import io.micrometer.observation.ObservationRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The documents service, and in distributed mode the memory service's HTTP client (timeouts,
 * retries, circuit breaker, the service token {@code baton.service-token} and for mutual TLS the
 * SSL bundle {@code baton.memory.ssl-bundle}); standalone mode defines an in-process {@link
 * MemoryClient} instead.
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
    MemoryClient httpMemoryClient(GatewayProperties properties, SslBundles bundles,
                                  ObjectProvider<ObservationRegistry> observations) {
        ClientSettings memory = properties.memory().client().withToken(properties.serviceToken())
                .withSsl(ServiceWebClients.sslBundle(bundles, properties.memory().sslBundle()));
        log.info("memory service at {} (timeout {}, {} retries; service token {}, SSL bundle {})", memory.url(),
                memory.timeout(), memory.retries(), memory.token() == null ? "none" : "sent",
                memory.ssl() == null ? "none" : properties.memory().sslBundle());
        return HttpMemoryClient.create(ServiceWebClients.observed(observations), memory, MAX_CHECKPOINT_BYTES);
    }
}
