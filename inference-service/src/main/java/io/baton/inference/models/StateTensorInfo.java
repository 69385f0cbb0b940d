package io.baton.inference.models;

import java.util.ArrayList;
import java.util.List;

/**
 * One state tensor of a model's plan on the wire.
 *
 * @param input     the {@code past*} input that takes it
 * @param output    the {@code present*} output that gives its next value
 * @param layer     the absolute layer index (the depth step for the Universal Transformer)
 * @param kind      {@code key}, {@code value}, {@code conv}, {@code ssm} or {@code recurrent}
 * @param shape     the input's shape: {@code "batch"} first, then sizes; a growing window's axis
 *                  is {@code "past"} (0 up to the window's capacity)
 * @param retention what is kept of the output
 * @param maxBytes  the most bytes it takes for one document
 */
public record StateTensorInfo(String input, String output, int layer, String kind, List<Object> shape,
                              RetentionInfo retention, long maxBytes) {

    static StateTensorInfo of(StateTensorSpec spec) {
        List<Object> shape = new ArrayList<>();
        shape.add("batch");
        long[] dims = spec.shape();
        for (int axis = 1; axis <= dims.length; axis++) {
            shape.add(spec.grows() && axis == spec.retention().axis() ? "past" : (Object) dims[axis - 1]);
        }
        return new StateTensorInfo(spec.input(), spec.output(), spec.layer(), spec.kind(), shape,
                RetentionInfo.of(spec.retention()), spec.maxBytes());
    }
}
