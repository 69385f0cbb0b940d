package io.baton.inference.models;

import java.util.Arrays;
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
