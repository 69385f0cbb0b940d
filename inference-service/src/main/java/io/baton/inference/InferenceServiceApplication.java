package io.baton.inference;

import io.baton.protocol.access.ServiceAccessConfiguration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Import;

/**
 * Entry point of the inference-service (default port 8081; {@code SERVER_PORT} overrides it). Every
 * request to {@code /v1/**} needs the service credential ({@link ServiceAccessConfiguration}).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@Import(ServiceAccessConfiguration.class)
public class InferenceServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(InferenceServiceApplication.class, args);
    }
}
