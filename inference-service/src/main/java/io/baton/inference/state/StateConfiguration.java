package io.baton.inference.state;

import io.baton.protocol.client.BreakerSettings;
import io.baton.inference.InferenceProperties;
import io.baton.protocol.memory.HttpMemoryClient;
import io.baton.protocol.memory.MemoryClient;
import io.baton.protocol.client.ClientSettings;
import io.baton.protocol.client.ServiceWebClients;
import io.micrometer.observation.ObservationRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The memory-service client: over HTTP to {@code baton.memory.url} with the service token
 * ({@code baton.service-token}) and, for mutual TLS, the SSL bundle {@code
 * baton.memory.ssl-bundle}, unless another {@link MemoryClient} bean is present (standalone mode
 * wires the memory code in-process).
 */
@Configuration(proxyBeanMethods = false)
public class StateConfiguration {

    private static final Logger log = LoggerFactory.getLogger(StateConfiguration.class);

    /** Largest checkpoint body the client accepts; matches the memory service's default limit. */
    static final int MAX_CHECKPOINT_BYTES = 64 * 1024 * 1024;

    @Bean
    @ConditionalOnMissingBean(MemoryClient.class)
    MemoryClient httpMemoryClient(InferenceProperties properties, SslBundles bundles,
                                  ObjectProvider<ObservationRegistry> observations) {
        ClientSettings memory = properties.memory().client().withToken(properties.serviceToken())
                .withSsl(ServiceWebClients.sslBundle(bundles, properties.memory().sslBundle()));
        BreakerSettings breaker = memory.breaker();
        log.info("memory service at {} (timeout {}, {} retries, circuit breaker opens at {}% failures of {} calls; "
                        + "service token {}, SSL bundle {})", memory.url(), memory.timeout(), memory.retries(),
                breaker.failureRatePercent(), breaker.window(), memory.token() == null ? "none" : "sent",
                memory.ssl() == null ? "none" : properties.memory().sslBundle());
        return HttpMemoryClient.create(ServiceWebClients.observed(observations), memory, MAX_CHECKPOINT_BYTES);
    }
}
