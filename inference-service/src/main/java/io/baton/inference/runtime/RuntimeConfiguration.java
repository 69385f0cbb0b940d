package io.baton.inference.runtime;

import io.baton.inference.InferenceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The ONNX Runtime beans: execution providers, session options, the runner scheduler. */
@Configuration(proxyBeanMethods = false)
public class RuntimeConfiguration {

    @Bean
    ExecutionProviders executionProviders() {
        return ExecutionProviders.standard();
    }

    @Bean
    SessionOptionsFactory sessionOptionsFactory(InferenceProperties properties, ExecutionProviders providers) {
        return new SessionOptionsFactory(properties.onnx(), providers);
    }

    @Bean(destroyMethod = "close")
    OnnxScheduler onnxScheduler(InferenceProperties properties) {
        return new OnnxScheduler(properties.runner().threads(), properties.runner().queue());
    }
}
