package io.baton.memory;

import io.baton.protocol.access.ServiceAccessConfiguration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Import;

/**
 * Entry point of the memory-service (default port 8082; {@code SERVER_PORT} overrides it). Every
 * request to {@code /v1/**} needs the service credential ({@link ServiceAccessConfiguration}).
 */
@SpringBootApplication
@Import(ServiceAccessConfiguration.class)
public class MemoryServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(MemoryServiceApplication.class, args);
    }
}
