package io.baton.gateway.inference;

import io.baton.gateway.GatewayProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The HTTP client in distributed mode (the default). Standalone mode ({@code baton.mode=standalone})
 * defines its in-process client instead.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "baton.mode", havingValue = "distributed", matchIfMissing = true)
public class InferenceClientConfiguration {

    @Bean
    InferenceClient httpInferenceClient(ObjectProvider<WebClient.Builder> builder, GatewayProperties properties) {
        return new HttpInferenceClient(builder.getIfAvailable(WebClient::builder), properties.inference());
    }
}
