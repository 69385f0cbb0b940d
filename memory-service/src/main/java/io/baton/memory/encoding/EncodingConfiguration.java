package io.baton.memory.encoding;

import io.baton.memory.MemoryProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The configured {@link StateEncoding}, logged once at start-up, and its executor. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(MemoryProperties.class)
public class EncodingConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(EncodingConfiguration.class);

    @Bean
    StateEncoding stateEncoding(MemoryProperties properties) {
        StateEncoding encoding = StateEncoding.of(properties.encoding());
        LOG.info("Checkpoints are stored with {}", encoding);
        return encoding;
    }

    @Bean(destroyMethod = "close")
    EncodingExecutor encodingExecutor() {
        return new EncodingExecutor(Math.max(1, Runtime.getRuntime().availableProcessors()));
    }
}
