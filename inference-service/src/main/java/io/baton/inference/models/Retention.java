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
 *       pinned} slots (global tokens, attention sinks) and the last {@code window} slots (in a
 *       ragged batch, the last {@code window} up to the row's last real token: {@link
 *       #apply(FloatTensor, int)}).
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
        return apply(present, 0);
    }

    /**
     * Applies the policy to one row's {@code present} tensor whose last {@code padding} slots on the
     * axis belong to padding after the row's last real token (a shorter row of a ragged batch: its
     * segment has T - padding real tokens). A window keeps the first {@code pinned} slots and the
     * {@code window} slots that end at the last real token, i.e. [G + L, G + W + L) of a present
     * [G ; W ; T] with L = T - padding; with no padding, the last {@code window} slots. {@code
     * replace} keeps the tensor as it is: the graph leaves such a state right for the row.
     */
    public FloatTensor apply(FloatTensor present, int padding) {
        if (policy == Policy.REPLACE) {
            return present;
        }
        long[] shape = present.shape();
        int length = Math.toIntExact(shape[axis]);
        if (padding < 0 || padding > length || (grows && padding > 0)) {
            // A growing window is never padded: StatePlan refuses a ragged plan with one.
            throw new IllegalArgumentException(padding + " padding slots of " + length + " on axis " + axis
                    + (grows ? " of a growing window" : ""));
        }
        if (grows) {
            if (length <= capacity()) {
                return present;
            }
        } else if (length - padding < capacity()) {
            throw new ModelContractException("a present tensor of shape " + Arrays.toString(shape)
                    + (padding > 0 ? " less " + padding + " padding slots" : "")
                    + " is shorter than " + pinned + " pinned + " + window + " window slots on axis " + axis);
        }
        int inner = Math.toIntExact(FloatTensor.elements(Arrays.copyOfRange(shape, axis + 1, shape.length)));
        int outer = Math.toIntExact(FloatTensor.elements(Arrays.copyOfRange(shape, 0, axis)));
        int keep = capacity();
        int end = length - padding;
        float[] source = present.values();
        float[] kept = new float[outer * keep * inner];
        for (int o = 0; o < outer; o++) {
            int from = o * length * inner;
            int to = o * keep * inner;
            System.arraycopy(source, from, kept, to, pinned * inner);
            System.arraycopy(source, from + (end - window) * inner, kept, to + pinned * inner, window * inner);
        }
        long[] keptShape = shape.clone();
        keptShape[axis] = keep;
        return new FloatTensor(keptShape, kept);
    }
}
