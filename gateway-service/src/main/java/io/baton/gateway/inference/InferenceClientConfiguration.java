package io.baton.gateway.inference;

import io.baton.protocol.client.BreakerSettings;
import io.baton.gateway.GatewayProperties;
import io.baton.protocol.inference.HttpInferenceClient;
import io.baton.protocol.inference.InferenceClient;
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
 * The HTTP client in distributed mode (the default), with the service token ({@code
 * baton.service-token}) and, for mutual TLS, the SSL bundle {@code baton.inference.ssl-bundle}.
 * Standalone mode ({@code baton.mode=standalone}) defines its in-process client instead.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "baton.mode", havingValue = "distributed", matchIfMissing = true)
public class InferenceClientConfiguration {

    private static final Logger log = LoggerFactory.getLogger(InferenceClientConfiguration.class);

    @Bean
    InferenceClient httpInferenceClient(ObjectProvider<ObservationRegistry> observations, GatewayProperties properties,
                                        SslBundles bundles) {
        ClientSettings inference = properties.inference().client().withToken(properties.serviceToken())
                .withSsl(ServiceWebClients.sslBundle(bundles, properties.inference().sslBundle()));
        BreakerSettings breaker = inference.breaker();
        log.info("inference service at {} (timeout {}, {} retries from {} up to {}, circuit breaker opens at {}% "
                        + "failures of {} calls for {}; service token {}, SSL bundle {})", inference.url(),
                inference.timeout(), inference.retries(), inference.retryBackoff(), inference.maxBackoff(),
                breaker.failureRatePercent(), breaker.window(), breaker.openFor(),
                inference.token() == null ? "none" : "sent",
                inference.ssl() == null ? "none" : properties.inference().sslBundle());
        return new HttpInferenceClient(ServiceWebClients.observed(observations), inference);
    }
}
