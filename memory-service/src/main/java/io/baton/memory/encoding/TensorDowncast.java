package io.baton.memory.encoding;

import io.baton.common.state.DType;
import io.baton.common.state.StateContainer;
import io.baton.common.state.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Narrows a container's F32 tensors for storage and widens them back, recording in the
 * container's own metadata what was narrowed: {@value #DOWNCAST_KEY} (the {@link Downcast}'s
 * name) and {@value #TENSORS_KEY} (a JSON array of the narrowed tensors' names). Tensors of other
 * dtypes, and F32 tensors that would overflow (see {@link Downcast}), are left as they are.
 */
final class TensorDowncast {

    /** Metadata key naming the downcast of a stored container. */
    static final String DOWNCAST_KEY = "baton.downcast";

    /** Metadata key listing the downcast tensors (JSON array of names). */
    static final String TENSORS_KEY = "baton.downcast_tensors";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<List<String>> NAMES = new TypeReference<>() { };

    private TensorDowncast() {
    }

    /**
     * {@code container} with every F32 tensor that fits narrowed by {@code downcast}, and the
     * record of it in the metadata; {@code container} itself when no tensor was narrowed.
     */
    static StateContainer narrow(StateContainer container, Downcast downcast) {
        if (downcast == Downcast.NONE) {
            return container;
        }
        StateContainer.Builder builder = StateContainer.builder();
        List<String> narrowed = new ArrayList<>();
        for (Tensor tensor : container.tensors()) {
            if (tensor.dtype() == DType.F32 && fits(tensor, downcast)) {
                builder.tensor(narrow(tensor, downcast));
                narrowed.add(tensor.name());
            } else {
                builder.tensor(tensor);
            }
        }
        if (narrowed.isEmpty()) {
            return container;
        }
        return builder.metadata(container.metadata())
                .metadata(DOWNCAST_KEY, downcast.configName())
                .metadata(TENSORS_KEY, JSON.writeValueAsString(narrowed))
                .build();
    }

    private static final byte[] KEY_IN_HEADER = ("\"" + DOWNCAST_KEY + "\"").getBytes(StandardCharsets.UTF_8);

    /**
     * Whether the header of the container file {@code file} mentions the downcast key, found by a
     * byte search of the header only (no parsing). A narrowed container always does; a plain one
     * never does, since clients may not send the key ({@link StateEncoding#RESERVED_METADATA}).
     */
    static boolean mentionedIn(byte[] file) {
        if (file.length < Long.BYTES) {
            return false;
        }
        long headerLength = ByteBuffer.wrap(file, 0, Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).getLong();
        int end = (int) Math.min(file.length, Long.BYTES + Math.max(0, Math.min(headerLength, Integer.MAX_VALUE)));
        outer:
        for (int i = Long.BYTES; i <= end - KEY_IN_HEADER.length; i++) {
            for (int j = 0; j < KEY_IN_HEADER.length; j++) {
                if (file[i + j] != KEY_IN_HEADER[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Whether {@code container} carries a downcast record. */
    static boolean isNarrowed(StateContainer container) {
        return container.metadata().containsKey(DOWNCAST_KEY);
    }

    /**
     * {@code container} with its narrowed tensors widened back to F32 and the record removed;
     * {@code container} itself when it has no record.
     *
     * @throws CorruptCheckpointException if the record does not match the tensors
     */
    static StateContainer widen(StateContainer container) {
        String name = container.metadata().get(DOWNCAST_KEY);
        if (name == null) {
            return container;
        }
        Downcast downcast;
        Set<String> narrowed;
        try {
            downcast = Downcast.parse(name);
            narrowed = new HashSet<>(JSON.readValue(container.metadata().getOrDefault(TENSORS_KEY, "[]"),
                    NAMES));
        } catch (IllegalArgumentException | JacksonException e) {
            throw new CorruptCheckpointException("stored downcast record is unreadable: "
                    + e.getMessage(), e);
        }
        StateContainer.Builder builder = StateContainer.builder();
        for (Tensor tensor : container.tensors()) {
            if (!narrowed.remove(tensor.name())) {
                builder.tensor(tensor);
            } else if (downcast == Downcast.NONE || tensor.dtype() != downcast.narrow()) {
                throw new CorruptCheckpointException("stored tensor '" + tensor.name() + "' is "
                        + tensor.dtype() + ", but its downcast record says " + name);
            } else {
                builder.tensor(widen(tensor, downcast));
            }
        }
        if (!narrowed.isEmpty()) {
            throw new CorruptCheckpointException("stored downcast record names missing tensors "
                    + narrowed);
        }
        for (Map.Entry<String, String> entry : container.metadata().entrySet()) {
            if (!entry.getKey().equals(DOWNCAST_KEY) && !entry.getKey().equals(TENSORS_KEY)) {
                builder.metadata(entry.getKey(), entry.getValue());
            }
        }
        return builder.build();
    }

    private static boolean fits(Tensor tensor, Downcast downcast) {
        FloatBuffer values = tensor.data().asFloatBuffer();
        while (values.hasRemaining()) {
            if (downcast.overflows(values.get())) {
                return false;
            }
        }
        return true;
    }

    private static Tensor narrow(Tensor tensor, Downcast downcast) {
        FloatBuffer values = tensor.data().asFloatBuffer();
        ByteBuffer bytes = ByteBuffer.allocate(values.remaining() * Short.BYTES)
                .order(ByteOrder.LITTLE_ENDIAN);
        ShortBuffer out = bytes.asShortBuffer();
        while (values.hasRemaining()) {
            out.put(downcast.narrow(values.get()));
        }
        return new Tensor(tensor.name(), downcast.narrow(), tensor.shape(), bytes);
    }

    private static Tensor widen(Tensor tensor, Downcast downcast) {
        ShortBuffer values = tensor.data().asShortBuffer();
        ByteBuffer bytes = ByteBuffer.allocate(values.remaining() * Float.BYTES)
                .order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer out = bytes.asFloatBuffer();
        while (values.hasRemaining()) {
            out.put(downcast.widen(values.get()));
        }
        return new Tensor(tensor.name(), DType.F32, tensor.shape(), bytes);
    }
}
