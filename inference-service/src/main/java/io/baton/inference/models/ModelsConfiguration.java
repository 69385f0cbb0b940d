package io.baton.inference.models;

import io.baton.inference.InferenceProperties;
import io.baton.inference.runtime.SessionOptionsFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The model registry, loaded at start-up and closed on shutdown. */
@Configuration(proxyBeanMethods = false)
public class ModelsConfiguration {

    @Bean(destroyMethod = "close")
    ModelRegistry modelRegistry(InferenceProperties properties, SessionOptionsFactory sessions) {
        return new ModelRegistry(properties.models(), sessions);
    }
}
