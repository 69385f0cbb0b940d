package io.baton.inference.models;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A float32 tensor on the Java heap: its shape and its values in row-major order.
 *
 * @param shape  the dimensions
 * @param values product(shape) values
 */
public record FloatTensor(long[] shape, float[] values) {

    public FloatTensor {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(values, "values");
        if (elements(shape) != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs "
                    + elements(shape) + " values, got " + values.length);
        }
    }

    /** A tensor of zeros. */
    public static FloatTensor zeros(long... shape) {
        return new FloatTensor(shape, new float[Math.toIntExact(elements(shape))]);
    }

    /** The product of the dimensions. */
    public static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Concatenates tensors of equal shape along axis 0 (the batch axis). */
    public static FloatTensor stack(List<FloatTensor> parts) {
        FloatTensor first = parts.get(0);
        if (parts.size() == 1) {
            return first;
        }
        long[] shape = first.shape.clone();
        shape[0] = 0;
        int at = 0;
        float[] values = new float[first.values.length * parts.size()];
        for (FloatTensor part : parts) {
            if (!Arrays.equals(Arrays.copyOfRange(part.shape, 1, part.shape.length),
                    Arrays.copyOfRange(first.shape, 1, first.shape.length))) {
                throw new IllegalArgumentException("cannot stack " + part + " with " + first);
            }
            shape[0] += part.shape[0];
            System.arraycopy(part.values, 0, values, at, part.values.length);
            at += part.values.length;
        }
        return new FloatTensor(shape, Arrays.copyOf(values, at));
    }

    /** Splits along axis 0 into tensors with a batch axis of 1. */
    public List<FloatTensor> split() {
        int rows = Math.toIntExact(shape[0]);
        if (rows == 1) {
            return List.of(this);
        }
        long[] rowShape = shape.clone();
        rowShape[0] = 1;
        int size = values.length / rows;
        List<FloatTensor> out = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            out.add(new FloatTensor(rowShape, Arrays.copyOfRange(values, r * size, (r + 1) * size)));
        }
        return out;
    }

    /** The largest absolute difference to another tensor of the same shape. */
    public double maxAbsDifference(FloatTensor other) {
        if (!Arrays.equals(shape, other.shape)) {
            throw new IllegalArgumentException("shapes differ: " + Arrays.toString(shape) + " vs "
                    + Arrays.toString(other.shape));
        }
        double max = 0;
        for (int i = 0; i < values.length; i++) {
            max = Math.max(max, Math.abs((double) values[i] - other.values[i]));
        }
        return max;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FloatTensor that && Arrays.equals(shape, that.shape)
                && Arrays.equals(values, that.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "FloatTensor" + Arrays.toString(shape);
    }
}
