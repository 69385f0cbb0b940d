package io.baton.inference.state;

import io.baton.inference.InferenceProperties;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.netty.channel.ChannelOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.netty.http.client.HttpClient;

/**
 * The memory-service client: over HTTP to {@code baton.memory.url}, unless another {@link
 * MemoryClient} bean is present (standalone mode wires the memory code in-process).
 */
@Configuration(proxyBeanMethods = false)
public class StateConfiguration {

    private static final Logger log = LoggerFactory.getLogger(StateConfiguration.class);

    /** Largest checkpoint body the client accepts; matches the memory service's default limit. */
    static final int MAX_CHECKPOINT_BYTES = 64 * 1024 * 1024;

    @Bean
    @ConditionalOnMissingBean(MemoryClient.class)
    MemoryClient httpMemoryClient(InferenceProperties properties) {
        InferenceProperties.Memory memory = properties.memory();
        InferenceProperties.CircuitBreaker settings = memory.circuitBreaker();
        CircuitBreaker breaker = CircuitBreaker.of("memory-service", HttpMemoryClient.breakerConfig()
                .failureRateThreshold(settings.failureRatePercent())
                .slidingWindowSize(settings.window())
                .minimumNumberOfCalls(settings.minimumCalls())
                .waitDurationInOpenState(settings.openFor())
                .permittedNumberOfCallsInHalfOpenState(settings.halfOpenCalls())
                .build());
        HttpClient http = HttpClient.create()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Math.toIntExact(memory.timeout().toMillis()));
        WebClient web = WebClient.builder().baseUrl(memory.url())
                .clientConnector(new ReactorClientHttpConnector(http))
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(MAX_CHECKPOINT_BYTES))
                .build();
        log.info("memory service at {} (timeout {}, {} retries, circuit breaker opens at {}% failures of {} calls)",
                memory.url(), memory.timeout(), memory.retries(), settings.failureRatePercent(), settings.window());
        return new HttpMemoryClient(web, memory.timeout(), memory.retries(), memory.retryBackoff(), breaker);
    }
}
