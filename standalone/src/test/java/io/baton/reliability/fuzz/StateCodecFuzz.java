package io.baton.reliability.fuzz;

import io.baton.common.state.StateCodec;
import io.baton.common.state.StateContainer;
import io.baton.common.state.StateFormatException;
import io.baton.common.state.Tensor;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The safetensors codec ({@link StateCodec#read}) on arbitrary bytes, as the memory service and
 * inference read a stored checkpoint. Typed: {@link StateFormatException} (each broken rule of the
 * format; the memory service answers it as 400 {@code state-format}). Anything else thrown is a
 * finding. For bytes it accepts: writing the container and reading it back gives the same
 * metadata and the same tensors (names, dtypes, shapes, bytes), and the input buffer's position
 * has not moved.
 */
public final class StateCodecFuzz {

    private StateCodecFuzz() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        ByteBuffer input = ByteBuffer.wrap(data);
        StateContainer container;
        try {
            container = StateCodec.read(input);
        } catch (StateFormatException typed) {
            return;
        }
        if (input.position() != 0) {
            throw new IllegalStateException("read moved the input's position to " + input.position());
        }
        StateContainer again = StateCodec.read(StateCodec.write(container));
        if (!again.metadata().equals(container.metadata())) {
            throw new IllegalStateException("metadata changed by a write and read: " + container.metadata()
                    + " -> " + again.metadata());
        }
        List<Tensor> before = List.copyOf(container.tensors());
        List<Tensor> after = List.copyOf(again.tensors());
        if (!before.equals(after)) {
            throw new IllegalStateException("tensors changed by a write and read: " + before + " -> " + after);
        }
    }
}
