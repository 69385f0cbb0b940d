package io.baton.inference.runtime;

import io.baton.inference.InvalidConfigurationException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The execution providers Baton can use, by name; {@link #standard()} has {@code cpu} and {@code cuda}. */
public final class ExecutionProviders {

    private final Map<String, ExecutionProvider> byName = new LinkedHashMap<>();

    public ExecutionProviders(List<ExecutionProvider> providers) {
        for (ExecutionProvider provider : providers) {
            if (byName.putIfAbsent(provider.name(), provider) != null) {
                throw new IllegalArgumentException("two execution providers are named " + provider.name());
            }
        }
    }

    /** {@code cpu} and {@code cuda}. */
    public static ExecutionProviders standard() {
        return new ExecutionProviders(List.of(ExecutionProvider.CPU, ExecutionProvider.CUDA));
    }

    /** The provider called {@code name}; an unknown name is a configuration error naming the known ones. */
    public ExecutionProvider get(String name) {
        ExecutionProvider provider = byName.get(name);
        if (provider == null) {
            throw new InvalidConfigurationException("baton.onnx.provider (BATON_ONNX_PROVIDER) is '" + name
                    + "'; known execution providers: " + String.join(", ", byName.keySet()));
        }
        return provider;
    }
}
