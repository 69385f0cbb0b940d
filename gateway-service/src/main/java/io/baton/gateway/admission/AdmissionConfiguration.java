package io.baton.gateway.admission;

import io.baton.gateway.GatewayProperties;
import io.baton.gateway.problems.ProblemDetailsAdvice;
import io.baton.protocol.problems.FilterProblems;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.codec.ServerCodecConfigurer;
import reactor.netty.NettyPipeline;

/**
 * The admission of requests that run documents, and the HTTP server's bounds on reading one
 * request: its line and headers within {@code baton.limits.header-read-timeout} ({@link
 * HeaderReadTimeout}: else the connection is closed), its body within {@code
 * baton.limits.body-read-timeout} (Reactor Netty's {@code requestTimeout}: else 408 {@code
 * request-timeout} and the connection is closed), so a client that trickles its request frees its
 * connection and what it buffered; its header fields within {@code baton.limits.max-header-size}
 * ({@link HeaderSizeLimit}: else 431 {@code headers-too-large}).
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

    /** Only with a web server: {@code ./baton summarize} and {@code ./baton batch} run without one. */
    @Bean
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    HeaderSizeLimit headerSizeLimit(GatewayProperties properties, ServerCodecConfigurer codecs,
                                    ProblemDetailsAdvice problems) {
        return new HeaderSizeLimit(properties.limits().maxHeaderSize(), new FilterProblems(codecs, problems));
    }

    @Bean
    NettyServerCustomizer requestReadTimeouts(GatewayProperties properties) {
        GatewayProperties.Limits limits = properties.limits();
        return server -> server.requestTimeout(limits.bodyReadTimeout())
                .doOnChannelInit((observer, channel, address) -> {
                    if (channel.pipeline().get(NettyPipeline.HttpCodec) != null) {
                        channel.pipeline().addAfter(NettyPipeline.HttpCodec, HeaderReadTimeout.NAME,
                                new HeaderReadTimeout(limits.headerReadTimeout()));
                    }
                });
    }
}
