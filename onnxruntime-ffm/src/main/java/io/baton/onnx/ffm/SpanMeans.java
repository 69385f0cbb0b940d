package io.baton.onnx.ffm;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * The means of a [B, T, D] float tensor over spans of its positions, computed where the tensor lies: a session of
 * its own over {@code span-means.onnx} (this module's resource, written by {@code models/span_means.py}: one
 * {@code MatMul} of [B, S, T] weights, 1 / a span's length at its positions, by the values) on the device of the
 * model's session. Only the [B, S, D] means cross to the host, not the [B, T, D] values: for the service's sentence
 * vectors over a batch of 32 x 256 of the bench model, 64 KB (one span a segment) to about 1.3 MB (20 sentences)
 * instead of 16.8 MB (issue 16).
 *
 * <p>The products are float32 (no TF32: the session's CUDA options), so a mean is the float sum of its terms,
 * within a few float roundings of the host's double sum. Not thread-safe: one batcher thread runs it.
 */
public final class SpanMeans implements AutoCloseable {

    private static final String RESOURCE = "span-means.onnx";

    private final Session session;
    private final IoBinding binding;
    private final MemoryInfo host = MemoryInfo.cpu();

    private SpanMeans(Session session) {
        this.session = session;
        this.binding = new IoBinding(session);
    }

    /** Span means on the device {@code model} runs on (its CUDA device, or the CPU), one intra-op thread. */
    public static SpanMeans like(Session model) {
        Session session = Session.open(graph(), new SessionConfig(1, model.cudaDevice(), false, false));
        try {
            return new SpanMeans(session);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    private static byte[] graph() {
        try (InputStream in = SpanMeans.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path beside " + SpanMeans.class.getName());
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Row b's means over {@code spans.get(b)}'s spans [start, end) of {@code values} [B, T, D] (in the session's
     * memory), span after span: {@code result[b]} holds S_b x D floats, S_b its span count (none: an empty array).
     * Every span must be non-empty and lie within [0, T).
     */
    public float[][] means(Tensor values, List<int[][]> spans) {
        long[] shape = values.shape();
        if (shape.length != 3 || shape[0] != spans.size()) {
            throw new IllegalArgumentException("values of shape " + Arrays.toString(shape) + " for "
                    + spans.size() + " rows of spans");
        }
        int batch = spans.size();
        int length = Math.toIntExact(shape[1]);
        int width = Math.toIntExact(shape[2]);
        int most = 1;
        for (int[][] row : spans) {
            most = Math.max(most, row.length);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment weights = arena.allocate(JAVA_FLOAT, (long) batch * most * length);   // zeros
            for (int b = 0; b < batch; b++) {
                for (int s = 0; s < spans.get(b).length; s++) {
                    int[] span = spans.get(b)[s];
                    if (span.length != 2 || span[0] < 0 || span[0] >= span[1] || span[1] > length) {
                        throw new IllegalArgumentException("span " + Arrays.toString(span)
                                + " is not a non-empty [start, end) within " + length + " positions");
                    }
                    float weight = 1f / (span[1] - span[0]);
                    long rowStart = ((long) b * most + s) * length;
                    for (int t = span[0]; t < span[1]; t++) {
                        weights.setAtIndex(JAVA_FLOAT, rowStart + t, weight);
                    }
                }
            }
            List<Tensor> out;
            try (Tensor w = Tensor.over(host, weights, ElementType.FLOAT, batch, most, length)) {
                try {
                    binding.bindInput("weights", w);
                    binding.bindInput("values", values);
                    binding.bindOutput("means", host);
                    binding.run();
                    out = binding.outputs();
                } finally {
                    binding.clearInputs();
                    binding.clearOutputs();
                }
            }
            try {
                MemorySegment means = out.get(0).hostData();
                float[][] rows = new float[batch][];
                for (int b = 0; b < batch; b++) {
                    rows[b] = new float[spans.get(b).length * width];
                    MemorySegment.copy(means, JAVA_FLOAT, (long) b * most * width * Float.BYTES, rows[b], 0,
                            rows[b].length);
                }
                return rows;
            } finally {
                out.forEach(Tensor::close);
            }
        }
    }

    @Override
    public void close() {
        binding.close();
        host.close();
        session.close();
    }
}
