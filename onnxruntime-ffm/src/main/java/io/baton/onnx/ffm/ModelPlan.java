package io.baton.onnx.ffm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What {@link ResidentStates} needs of a model's {@code baton-model.json} (docs/model-contract.md): the past
 * length of {@code attention_mask}, the outputs, and each state tensor with its retention. The inference
 * service's {@code StatePlan} reads the same file with every check of the contract; this module stays
 * independent of the service, so it reads only these fields (models built here: a fixed-size past), and
 * whether the model takes ragged batches.
 *
 * @param maskPast {@code attention_mask} is [batch, maskPast + segment length]
 * @param inputs   the non-state inputs ({@code input_ids}, {@code attention_mask}, {@code position_ids}, and
 *                 {@code target_ids} where the graph scores tokens itself)
 * @param outputs  the non-state outputs ({@code logits}, {@code last_hidden_state}, {@code token_nll}, ...)
 * @param state    the state tensors in input order
 * @param ragged   whether the graph takes ragged batches ({@code "ragged": true}; absent: false): rows of
 *                 different real lengths, padded on the right, the padding marked in {@code attention_mask}
 */
public record ModelPlan(int maskPast, List<String> inputs, List<String> outputs, List<StateSpec> state,
                        boolean ragged) {

    public ModelPlan {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        state = List.copyOf(state);
    }

    /**
     * One state tensor.
     *
     * @param input  the {@code past*} input
     * @param output the {@code present*} output
     * @param shape  the shape without the batch axis
     * @param window for a window retention, the last slots kept on {@code axis}; 0 for {@code replace}
     * @param pinned for a window retention, the first slots kept on {@code axis}
     * @param axis   the axis of the window (2 in every model here), counting the batch axis
     */
    public record StateSpec(String input, String output, long[] shape, int window, int pinned, int axis) {

        public boolean isWindow() {
            return window > 0 || pinned > 0;
        }

        /** Elements of one document's state tensor. */
        public long elements() {
            return Arrays.stream(shape).reduce(1L, Math::multiplyExact);
        }

        /** The shape with a batch axis in front. */
        public long[] batched(long batch) {
            long[] s = new long[shape.length + 1];
            s[0] = batch;
            System.arraycopy(shape, 0, s, 1, shape.length);
            return s;
        }
    }

    /** Reads {@code baton-model.json}. */
    public static ModelPlan read(Path file) {
        JsonNode root;
        try {
            root = JsonMapper.builder().build().readTree(Files.readAllBytes(file));
        } catch (IOException | JacksonException e) {
            throw new OrtException("cannot read " + file + ": " + e.getMessage(), e);
        }
        List<String> inputs = new ArrayList<>();
        root.path("inputs").forEach(n -> inputs.add(n.asString()));
        List<String> outputs = new ArrayList<>();
        root.path("outputs").forEach(n -> outputs.add(n.asString()));
        List<StateSpec> state = new ArrayList<>();
        for (JsonNode s : root.path("state")) {
            if (!"float32".equals(s.path("dtype").asString()) || !"zeros".equals(s.path("initial").asString())) {
                throw new OrtException(file + ": state " + s.path("input").asString()
                        + " is not float32 starting from zeros");
            }
            JsonNode shape = s.path("shape");
            long[] dims = new long[shape.size() - 1];
            for (int i = 1; i < shape.size(); i++) {
                if (!shape.get(i).isNumber()) {
                    throw new OrtException(file + ": state " + s.path("input").asString()
                            + " has a symbolic axis other than the batch (a past that grows is not supported here)");
                }
                dims[i - 1] = shape.get(i).asLong();
            }
            JsonNode retention = s.path("retention");
            String policy = retention.path("policy").asString();
            int window = 0;
            int pinned = 0;
            int axis = 0;
            if ("window".equals(policy)) {
                window = retention.path("window").asInt();
                pinned = retention.path("pinned").asInt(0);
                axis = retention.path("axis").asInt();
                if (axis < 1 || axis > dims.length || dims[axis - 1] != window + pinned) {
                    throw new OrtException(file + ": state " + s.path("input").asString() + " keeps " + pinned + " + "
                            + window + " slots on axis " + axis + " of shape " + Arrays.toString(dims));
                }
            } else if (!"replace".equals(policy)) {
                throw new OrtException(file + ": retention '" + policy + "' is not supported here");
            }
            state.add(new StateSpec(s.path("input").asString(), s.path("output").asString(), dims, window, pinned, axis));
        }
        return new ModelPlan(root.path("mask_past").asInt(), inputs, outputs, state, root.path("ragged").asBoolean(false));
    }

    /** Whether the graph takes {@code target_ids} (and returns {@code token_nll}). */
    public boolean scoresTokens() {
        return inputs.contains("target_ids");
    }

    /** The outputs a service run reads: {@code token_nll} and {@code last_hidden_state} where the model has them, else {@code logits}. */
    public List<String> serviceReadouts() {
        List<String> wanted = outputs.stream().filter(o -> o.equals("token_nll") || o.equals("last_hidden_state")).toList();
        return wanted.isEmpty() ? List.of("logits") : wanted;
    }
}
