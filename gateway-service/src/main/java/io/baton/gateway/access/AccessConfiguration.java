package io.baton.gateway.access;

import io.baton.gateway.GatewayProperties;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import io.baton.gateway.problems.ProblemDetailsAdvice;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.codec.ServerCodecConfigurer;

/**
 * The access policy, decided and logged once at start-up (the start fails when it is refused),
 * and the API key filter. Only in a reactive web application: {@code ./baton summarize} runs
 * without a server and has nobody to ask for keys.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
public class AccessConfiguration {

    private static final Logger log = LoggerFactory.getLogger(AccessConfiguration.class);

    @Bean
    AccessPolicy accessPolicy(GatewayProperties properties, Environment environment) {
        AccessPolicy policy = AccessPolicy.of(properties.access(), properties.standalone(),
                boundAddress(environment.getProperty("server.address")));
        log.info("access: {}", policy.description());
        return policy;
    }

    @Bean
    ApiKeyFilter apiKeyFilter(AccessPolicy policy, ServerCodecConfigurer codecs, ProblemDetailsAdvice problems) {
        return new ApiKeyFilter(policy, codecs, problems);
    }

    /** {@code server.address} as an address; {@code null} (all interfaces) when unset. */
    static InetAddress boundAddress(String address) {
        if (address == null || address.isBlank()) {
            return null;
        }
        try {
            return InetAddress.getByName(address.strip());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("server.address '" + address + "' does not resolve", e);
        }
    }
}
