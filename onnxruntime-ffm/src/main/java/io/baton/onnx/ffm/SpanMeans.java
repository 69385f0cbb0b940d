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

    /** The most bytes of weights one run is given ({@link #means}): 16 MiB. */
    static final long WEIGHT_BYTES = 16L << 20;

    private final Session session;
    private final IoBinding binding;
    private final MemoryInfo host = MemoryInfo.cpu();
    private final long weightBytes;

    private SpanMeans(Session session, long weightBytes) {
        this.session = session;
        this.weightBytes = weightBytes;
        this.binding = new IoBinding(session);
    }

    /** Span means on the device {@code model} runs on (its CUDA device, or the CPU), one intra-op thread. */
    public static SpanMeans like(Session model) {
        return like(model, WEIGHT_BYTES);
    }

    /** The same, with at most {@code weightBytes} of weights a run. */
    static SpanMeans like(Session model, long weightBytes) {
        Session session = Session.open(graph(), new SessionConfig(1, model.cudaDevice(), false, false));
        try {
            return new SpanMeans(session, weightBytes);
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
     * Every span must be non-empty and lie within [0, T). The [B, S, T] weights are made {@link #weightBytes} at
     * most at a time, the spans in as many runs as that takes: a batch of long segments with many sentences each
     * (the service accepts 2,048 of each) would otherwise ask for B x 2,048 x 2,048 floats, 512 MB at B = 32.
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
        int most = 0;
        float[][] rows = new float[batch][];
        for (int b = 0; b < batch; b++) {
            for (int[] span : spans.get(b)) {
                check(span, length, null);
            }
            most = Math.max(most, spans.get(b).length);
            rows[b] = new float[spans.get(b).length * width];
        }
        long perSpan = (long) batch * length * Float.BYTES;
        int chunk = (int) Math.max(1, Math.min(most, weightBytes / perSpan));
        for (int first = 0; first < most; first += chunk) {
            meansOf(values, length, width, spans, first, Math.min(chunk, most - first), rows);
        }
        return rows;
    }

    /**
     * Refuses {@code span} unless it is a non-empty [start, end) within [0, {@code length}) of {@code whose}
     * positions (a document's tokens; null: the values'). Called for every span of every batch, so the message is
     * only made for a span refused.
     */
    static void check(int[] span, int length, String whose) {
        if (span == null || span.length != 2 || span[0] < 0 || span[0] >= span[1] || span[1] > length) {
            throw new IllegalArgumentException("span " + Arrays.toString(span) + " is not a non-empty [start, end) "
                    + "within " + (whose == null ? "the values' " + length + " positions" : whose + "'s " + length
                    + " tokens"));
        }
    }

    /** Spans [first, first + count) of every row (those it has) of [B, length, width] values into {@code rows}. */
    private void meansOf(Tensor values, int length, int width, List<int[][]> spans, int first, int count,
                         float[][] rows) {
        int batch = spans.size();
        float[] weights = new float[batch * count * length];
        for (int b = 0; b < batch; b++) {
            int[][] row = spans.get(b);
            for (int s = first; s < Math.min(first + count, row.length); s++) {
                int at = (b * count + s - first) * length;
                Arrays.fill(weights, at + row[s][0], at + row[s][1], 1f / (row[s][1] - row[s][0]));
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(JAVA_FLOAT, weights.length);
            MemorySegment.copy(weights, 0, data, JAVA_FLOAT, 0, weights.length);
            List<Tensor> out;
            try (Tensor w = Tensor.over(host, data, ElementType.FLOAT, batch, count, length)) {
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
                for (int b = 0; b < batch; b++) {
                    int taken = Math.min(count, spans.get(b).length - first);
                    if (taken > 0) {
                        MemorySegment.copy(means, JAVA_FLOAT, (long) b * count * width * Float.BYTES, rows[b],
                                first * width, taken * width);
                    }
                }
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
