package io.baton.memory.api;

import io.baton.memory.MemoryProperties;
import io.baton.memory.store.CheckpointStore;
import io.baton.memory.store.StorePolicy;
import io.baton.memory.store.inmemory.InMemoryCheckpointStore;
import java.time.Clock;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * The in-memory store for the API tests, configured from {@code baton.*} as the service's own
 * store configuration will (stands in until that configuration is on this branch).
 */
@TestConfiguration(proxyBeanMethods = false)
class InMemoryStoreTestConfiguration {

    @Bean
    CheckpointStore checkpointStore(MemoryProperties properties) {
        return new InMemoryCheckpointStore(StorePolicy.from(properties), properties.store().memoryMaxBytes(),
                Clock.systemUTC());
    }
}
