package io.baton.gateway.admission;

import io.baton.gateway.GatewayProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The admission of requests that run documents, and the HTTP server's bound on reading one
 * request's body: Reactor Netty's {@code requestTimeout} ({@code baton.limits.body-read-timeout}),
 * after which it answers 408 itself and closes the connection, so a client that trickles its body
 * frees its connection and what it buffered.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(GatewayProperties.class)
public class AdmissionConfiguration {

    private static final Logger log = LoggerFactory.getLogger(AdmissionConfiguration.class);

    @Bean
    Admission admission(GatewayProperties properties) {
        GatewayProperties.Limits limits = properties.limits();
        log.info("admission per tenant: {} requests at once, {}; request timeout {}", limits.tenantConcurrency(),
                limits.rateLimited() ? limits.tokensPerSecond() + " tokens/s (burst " + limits.tokenBurst() + ")"
                        : "no token rate limit", limits.requestTimeout());
        return new Admission(limits);
    }

    @Bean
    NettyServerCustomizer bodyReadTimeout(GatewayProperties properties) {
        return server -> server.requestTimeout(properties.limits().bodyReadTimeout());
    }
}
