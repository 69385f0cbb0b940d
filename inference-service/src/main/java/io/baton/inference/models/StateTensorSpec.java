package io.baton.inference.models;

import java.util.Arrays;
import java.util.Objects;

/**
 * One state tensor of a model: the input that takes it, the output that gives its next value,
 * its layer, kind ({@code key}, {@code value}, {@code conv}, {@code ssm}, {@code recurrent}),
 * shape without the batch axis, and retention.
 */
public record StateTensorSpec(String input, String output, int layer, String kind, long[] shape,
                              Retention retention) {

    public StateTensorSpec {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(retention, "retention");
        shape = shape.clone();
    }

    /**
     * The documented initial value: zeros of [batch, ...shape]; for a growing window, an empty
     * past (length 0 on its axis).
     */
    public FloatTensor initial(int batch) {
        return FloatTensor.zeros(withBatch(batch));
    }

    /** Whether the past grows from empty (Hugging Face hub exports) instead of being a fixed window. */
    public boolean grows() {
        return retention.grows();
    }

    /** The shape without the batch axis when the most is kept (a growing window full). */
    public long[] maxShape() {
        long[] max = shape.clone();
        if (grows()) {
            max[retention.axis() - 1] = retention.capacity();
        }
        return max;
    }

    /** The most bytes this tensor takes for one document (float32). */
    public long maxBytes() {
        return FloatTensor.elements(maxShape()) * Float.BYTES;
    }

    /**
     * Whether a stored tensor of {@code shape} (batch axis first) can be this state for {@code
     * batch} documents: the planned shape, except that a growing window may hold anything from
     * no slots up to its capacity.
     */
    public boolean fits(long[] shape, int batch) {
        long[] expected = withBatch(batch);
        if (shape.length != expected.length) {
            return false;
        }
        for (int axis = 0; axis < shape.length; axis++) {
            boolean ok = grows() && axis == retention.axis()
                    ? shape[axis] >= 0 && shape[axis] <= retention.capacity()
                    : shape[axis] == expected[axis];
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The shape of the input for {@code batch} documents. */
    public long[] withBatch(int batch) {
        long[] full = new long[shape.length + 1];
        full[0] = batch;
        System.arraycopy(shape, 0, full, 1, shape.length);
        return full;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StateTensorSpec that && input.equals(that.input)
                && output.equals(that.output) && layer == that.layer && kind.equals(that.kind)
                && Arrays.equals(shape, that.shape) && retention.equals(that.retention);
    }

    @Override
    public int hashCode() {
        return Objects.hash(input, output, layer, kind, Arrays.hashCode(shape), retention);
    }

    @Override
    public String toString() {
        return "StateTensorSpec[" + input + " -> " + output + ", layer " + layer + ", " + kind + ", "
                + Arrays.toString(shape) + ", " + retention + "]";
    }
}
