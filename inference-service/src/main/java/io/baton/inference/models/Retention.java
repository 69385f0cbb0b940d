package io.baton.inference.models;

import java.util.Arrays;

/**
 * What is kept of a {@code present*} output before it becomes the next segment's {@code past*}
 * input.
 *
 * <ul>
 *   <li>{@link Policy#REPLACE}: a fixed-size state (convolution, SSM, linear-attention sum) that
 *       replaces the previous one as it is;
 *   <li>{@link Policy#WINDOW}: attention keys or values along {@code axis}: the first {@code
 *       pinned} slots (global tokens, attention sinks) and the last {@code window} slots.
 * </ul>
 *
 * <p>A window is either fixed (models built here: the past always has {@code pinned + window}
 * slots, zeros before the document has that many tokens) or, with {@code grows}, growing (Hugging
 * Face hub exports: the past starts empty and grows with the document until it holds {@code
 * pinned + window} slots, then keeps that many).
 */
public record Retention(Policy policy, int window, int pinned, int axis, boolean grows) {

    /** The two retention policies. */
    public enum Policy { REPLACE, WINDOW }

    public static final Retention REPLACE = new Retention(Policy.REPLACE, 0, 0, 0, false);

    public Retention {
        if (window < 0 || pinned < 0 || axis < 0) {
            throw new IllegalArgumentException("window, pinned and axis must not be negative");
        }
        if (grows && policy != Policy.WINDOW) {
            throw new IllegalArgumentException("only a window can grow");
        }
    }

    /** A fixed window. */
    public Retention(Policy policy, int window, int pinned, int axis) {
        this(policy, window, pinned, axis, false);
    }

    /** A window that grows from empty up to {@code window} slots along {@code axis}. */
    public static Retention growingWindow(int window, int axis) {
        return new Retention(Policy.WINDOW, window, 0, axis, true);
    }

    /** The most slots a window keeps along its axis. */
    public int capacity() {
        return pinned + window;
    }

    /** Applies the policy to a {@code present} tensor. */
    public FloatTensor apply(FloatTensor present) {
        if (policy == Policy.REPLACE) {
            return present;
        }
        long[] shape = present.shape();
        int length = Math.toIntExact(shape[axis]);
        if (grows) {
            if (length <= capacity()) {
                return present;
            }
        } else if (length < capacity()) {
            throw new ModelContractException("a present tensor of shape " + Arrays.toString(shape)
                    + " is shorter than " + pinned + " pinned + " + window + " window slots on axis " + axis);
        }
        int inner = Math.toIntExact(FloatTensor.elements(Arrays.copyOfRange(shape, axis + 1, shape.length)));
        int outer = Math.toIntExact(FloatTensor.elements(Arrays.copyOfRange(shape, 0, axis)));
        int keep = capacity();
        float[] source = present.values();
        float[] kept = new float[outer * keep * inner];
        for (int o = 0; o < outer; o++) {
            int from = o * length * inner;
            int to = o * keep * inner;
            System.arraycopy(source, from, kept, to, pinned * inner);
            System.arraycopy(source, from + (length - window) * inner, kept, to + pinned * inner, window * inner);
        }
        long[] keptShape = shape.clone();
        keptShape[axis] = keep;
        return new FloatTensor(keptShape, kept);
    }
}
