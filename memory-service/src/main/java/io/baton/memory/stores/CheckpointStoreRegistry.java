package io.baton.memory.stores;

import io.baton.memory.MemoryProperties;
import io.baton.memory.store.CheckpointStore;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The kinds of checkpoint store this service can run on, by the name {@code baton.store.kind}
 * gives them, each with the factory that builds it from the configuration.
 */
public final class CheckpointStoreRegistry {

    /** Builds one kind of store from the service configuration. */
    @FunctionalInterface
    public interface Factory {
        CheckpointStore create(MemoryProperties properties, Clock clock);
    }

    private final Map<String, Factory> factories = new LinkedHashMap<>();

    /** Adds a kind; names are lower case and unique. */
    public CheckpointStoreRegistry register(String kind, Factory factory) {
        Objects.requireNonNull(factory, "factory");
        if (factories.putIfAbsent(normalize(kind), factory) != null) {
            throw new IllegalArgumentException("store kind '" + kind + "' is registered twice");
        }
        return this;
    }

    /** The registered kinds, in registration order. */
    public Set<String> kinds() {
        return Set.copyOf(factories.keySet());
    }

    /**
     * The store {@code baton.store.kind} names. Fails with a message listing the known kinds when
     * the kind is not registered.
     */
    public CheckpointStore create(MemoryProperties properties, Clock clock) {
        String kind = normalize(properties.store().kind());
        Factory factory = factories.get(kind);
        if (factory == null) {
            throw new IllegalStateException("baton.store.kind '" + properties.store().kind()
                    + "' is not a known checkpoint store; use one of " + String.join(", ", factories.keySet())
                    + " (environment variable BATON_STORE_KIND)");
        }
        return factory.create(properties, clock);
    }

    private static String normalize(String kind) {
        return kind == null ? "" : kind.trim().toLowerCase(Locale.ROOT);
    }
}
