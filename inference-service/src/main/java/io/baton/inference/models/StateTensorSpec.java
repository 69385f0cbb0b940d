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

    /** The documented initial value: zeros of [batch, ...shape]. */
    public FloatTensor initial(int batch) {
        return FloatTensor.zeros(withBatch(batch));
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
