package io.baton.common.state;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One checkpoint of a document's state: named tensors in a fixed order plus string metadata
 * (the safetensors {@code __metadata__}). Immutable; build one with {@link #builder()}.
 * {@link StateCodec} turns it into bytes and back.
 */
public final class StateContainer {

    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;

    private StateContainer(Builder builder) {
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(builder.tensors));
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(builder.metadata));
    }

    /** A builder for a new container. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this container's tensors and metadata. */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.tensors.putAll(tensors);
        builder.metadata.putAll(metadata);
        return builder;
    }

    /** The tensors, in the order they were added (the header order when read). */
    public Collection<Tensor> tensors() {
        return tensors.values();
    }

    /** The tensor named {@code name}, if present. */
    public Optional<Tensor> tensor(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /** The metadata, in insertion order; unmodifiable. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The metadata value for {@code key}, if present. */
    public Optional<String> metadata(String key) {
        return Optional.ofNullable(metadata.get(key));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StateContainer that
                && tensors.equals(that.tensors)
                && metadata.equals(that.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tensors, metadata);
    }

    @Override
    public String toString() {
        return "StateContainer[tensors=" + tensors.values() + ", metadata=" + metadata + "]";
    }

    /** Collects tensors and metadata for a {@link StateContainer}; not thread-safe. */
    public static final class Builder {

        private final Map<String, Tensor> tensors = new LinkedHashMap<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Adds a tensor.
         *
         * @throws IllegalArgumentException if a tensor of the same name was already added
         */
        public Builder tensor(Tensor tensor) {
            Objects.requireNonNull(tensor, "tensor");
            if (tensors.putIfAbsent(tensor.name(), tensor) != null) {
                throw new IllegalArgumentException("duplicate tensor '" + tensor.name() + "'");
            }
            return this;
        }

        /** Adds a tensor; see {@link Tensor} for what is checked. */
        public Builder tensor(String name, DType dtype, long[] shape, ByteBuffer data) {
            return tensor(new Tensor(name, dtype, shape, data));
        }

        /** Sets one metadata entry, replacing an earlier value for the same key. */
        public Builder metadata(String key, String value) {
            metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Sets every entry of {@code entries}, in its iteration order. */
        public Builder metadata(Map<String, String> entries) {
            entries.forEach(this::metadata);
            return this;
        }

        /** The container holding everything added so far. */
        public StateContainer build() {
            return new StateContainer(this);
        }
    }
}
