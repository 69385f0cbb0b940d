package io.baton.inference.models;

import io.baton.common.state.StateCodec;
import io.baton.common.state.StateContainer;
import io.baton.common.state.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reading the zoo's golden files (safetensors written by {@code models/export.py}). */
public final class Goldens {

    private Goldens() {
    }

    public static StateContainer read(Path file) throws IOException {
        return StateCodec.read(ByteBuffer.wrap(Files.readAllBytes(file)));
    }

    public static long[] longs(StateContainer container, String name) {
        Tensor t = container.tensor(name).orElseThrow();
        long[] out = new long[(int) t.elementCount()];
        t.data().asLongBuffer().get(out);
        return out;
    }

    public static FloatTensor floats(StateContainer container, String name) {
        Tensor t = container.tensor(name).orElseThrow();
        float[] out = new float[(int) t.elementCount()];
        t.data().asFloatBuffer().get(out);
        return new FloatTensor(t.shape(), out);
    }

    /** Concatenates [1, T_i, C] tensors along the sequence axis. */
    public static FloatTensor concatSequence(List<FloatTensor> parts) {
        long channels = parts.get(0).shape()[2];
        long total = parts.stream().mapToLong(p -> p.shape()[1]).sum();
        float[] values = new float[(int) (total * channels)];
        int at = 0;
        for (FloatTensor p : parts) {
            System.arraycopy(p.values(), 0, values, at, p.values().length);
            at += p.values().length;
        }
        return new FloatTensor(new long[] {1, total, channels}, values);
    }
}
