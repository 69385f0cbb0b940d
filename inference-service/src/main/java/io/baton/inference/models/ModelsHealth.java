package io.baton.inference.models;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Whether the service has models to run: up with at least one loaded, down with none. The
 * registry loads every model folder while the application starts, so once it is up the sessions
 * exist; the inference service's readiness group includes it (contributor {@code models}).
 */
@Component("modelsHealthIndicator")
public class ModelsHealth implements HealthIndicator {

    private final ModelRegistry registry;

    public ModelsHealth(ModelRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Health health() {
        int loaded = registry.all().size();
        return (loaded > 0 ? Health.up() : Health.down()).build();
    }
}
