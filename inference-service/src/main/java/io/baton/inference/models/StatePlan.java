package io.baton.inference.models;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The state plan of a model, read from {@code baton-model.json} (or, for an export from the
 * Hugging Face hub, derived by {@link HubExportPlan}): the non-state inputs it takes, the length
 * of the past part of {@code attention_mask}, and every state tensor in input order.
 *
 * @param family    the model family, e.g. {@code jamba}
 * @param inputs    non-state inputs, a subset of {@code input_ids}, {@code attention_mask},
 *                  {@code position_ids}, {@code target_ids}
 * @param maskPast  {@code attention_mask} is [batch, maskPast + segment length]; 0 and unused
 *                  when the past {@linkplain #pastGrows() grows}, where it is the longest past
 *                  a document has
 * @param vocabSize size of the vocabulary ({@code logits}' last axis)
 * @param state     the state tensors
 * @param ragged    whether the graph takes <i>ragged batches</i> ({@code "ragged": true}; absent: false):
 *                  rows of one batch with different real lengths, padded on the right, the padding
 *                  marked by zeros in the last T columns of {@code attention_mask}
 *                  ({@link SegmentModel#run(List, SegmentModel.Fetch)} says what is fed and kept)
 * @param precision what the graph computes its products in, the plan's {@code "precision"}: {@code fp32}
 *                  (absent), or {@code fp16} for an export with float16 linear layers (inputs, outputs and
 *                  states stay float32 either way; docs/model-contract.md, "Precision")
 */
public record StatePlan(String family, List<String> inputs, int maskPast, int vocabSize,
                        List<StateTensorSpec> state, boolean ragged, String precision) {

    /** {@code precision} of a plan that does not say. */
    public static final String FLOAT32 = "fp32";

    /** The version of {@code baton-model.json} this code reads. */
    public static final int FORMAT = 1;

    public StatePlan {
        Objects.requireNonNull(precision, "precision");
        inputs = List.copyOf(inputs);
        state = List.copyOf(state);
        if (ragged && !(inputs.contains("attention_mask") && inputs.contains("position_ids"))) {
            throw new ModelContractException("\"ragged\": true needs the inputs attention_mask and position_ids, "
                    + "which tell a row's padding and positions; the plan has " + inputs);
        }
        if (ragged && state.stream().anyMatch(StateTensorSpec::grows)) {
            throw new ModelContractException("\"ragged\": true with a past that grows; only fixed windows take ragged batches");
        }
    }

    /** A plan of batches of one segment length only (exports without {@code "ragged"}, hub exports). */
    public StatePlan(String family, List<String> inputs, int maskPast, int vocabSize, List<StateTensorSpec> state) {
        this(family, inputs, maskPast, vocabSize, state, false, FLOAT32);
    }

    /**
     * Whether the attention past grows from empty (hub exports): then each document's past
     * length, and the past part of its {@code attention_mask}, comes from its state tensors.
     */
    public boolean pastGrows() {
        return state.stream().anyMatch(StateTensorSpec::grows);
    }

    /** The most bytes of state one document has (every window full). */
    public long stateBytes() {
        return state.stream().mapToLong(StateTensorSpec::maxBytes).sum();
    }

    /** Reads {@code baton-model.json}. */
    public static StatePlan read(Path file) {
        PlanJson json;
        try {
            json = JsonMapper.builder()
                    .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .build().readValue(Files.readAllBytes(file), PlanJson.class);
        } catch (IOException | JacksonException e) {
            throw new ModelContractException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (json.format == null || json.format != FORMAT) {
            throw new ModelContractException(file + ": format " + json.format + " is not " + FORMAT);
        }
        List<StateTensorSpec> specs = new ArrayList<>();
        for (StateJson s : json.state) {
            if (!"float32".equals(s.dtype) || !"zeros".equals(s.initial)) {
                throw new ModelContractException(file + ": state " + s.input + " is " + s.dtype
                        + " starting from " + s.initial + "; only float32 starting from zeros is supported");
            }
            specs.add(new StateTensorSpec(s.input, s.output, s.layer, s.kind, shapeWithoutBatch(file, s),
                    retention(file, s)));
        }
        try {
            return new StatePlan(json.family, json.inputs, json.maskPast, json.vocabSize, specs,
                    json.ragged != null && json.ragged, json.precision == null ? FLOAT32 : json.precision);
        } catch (ModelContractException e) {
            throw new ModelContractException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The output that must carry the next value of a {@code past*} input, by the naming
     * convention of ONNX exports of hybrid models: {@code past_key_values.i.key -> present.i.key},
     * {@code past_conv.i -> present_conv.i}, {@code past_ssm.i -> present_ssm.i}, and so on.
     */
    public static String presentNameFor(String pastName) {
        if (pastName.startsWith("past_key_values.")) {
            return "present." + pastName.substring("past_key_values.".length());
        }
        if (pastName.startsWith("past_")) {
            return "present_" + pastName.substring("past_".length());
        }
        throw new IllegalArgumentException(pastName + " is not a past input");
    }

    /** Refuses a model that takes a {@code past*} input without returning its {@code present*}. */
    public static void requirePresentForEveryPast(String model, Set<String> inputs, Set<String> outputs) {
        for (String input : inputs) {
            if (input.startsWith("past") && !outputs.contains(presentNameFor(input))) {
                throw new ModelContractException("model " + model + ": input '" + input
                        + "' has no matching output '" + presentNameFor(input)
                        + "', so its state could not be carried to the next segment");
            }
        }
    }

    /** Checks that the plan names exactly the state inputs and outputs the graph has. */
    public void requireMatches(String model, Set<String> graphInputs, Set<String> graphOutputs) {
        for (StateTensorSpec s : state) {
            if (!graphInputs.contains(s.input()) || !graphOutputs.contains(s.output())) {
                throw new ModelContractException("model " + model + ": baton-model.json names state "
                        + s.input() + " -> " + s.output() + ", which the ONNX graph does not have");
            }
        }
        long graphPasts = graphInputs.stream().filter(n -> n.startsWith("past")).count();
        if (graphPasts != state.size()) {
            throw new ModelContractException("model " + model + ": the graph has " + graphPasts
                    + " past inputs, baton-model.json plans " + state.size());
        }
    }

    private static long[] shapeWithoutBatch(Path file, StateJson s) {
        if (s.shape == null || s.shape.isEmpty() || !"batch".equals(s.shape.get(0))) {
            throw new ModelContractException(file + ": state " + s.input + " must have shape [\"batch\", ...]");
        }
        long[] shape = new long[s.shape.size() - 1];
        for (int i = 1; i < s.shape.size(); i++) {
            if (!(s.shape.get(i) instanceof Number n) || n.longValue() < 0) {
                throw new ModelContractException(file + ": state " + s.input + " has dimension "
                        + s.shape.get(i) + "; only the batch axis may be symbolic");
            }
            shape[i - 1] = n.longValue();
        }
        return shape;
    }

    private static Retention retention(Path file, StateJson s) {
        RetentionJson r = s.retention;
        if (r == null || r.policy == null) {
            throw new ModelContractException(file + ": state " + s.input + " has no retention policy");
        }
        return switch (r.policy) {
            case "replace" -> Retention.REPLACE;
            case "window" -> new Retention(Retention.Policy.WINDOW, orZero(r.window), orZero(r.pinned), orZero(r.axis));
            default -> throw new ModelContractException(file + ": state " + s.input
                    + " has unknown retention policy '" + r.policy + "'");
        };
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }

    private record PlanJson(Integer format, String family, List<String> inputs,
                            @JsonProperty("mask_past") int maskPast,
                            @JsonProperty("vocab_size") int vocabSize, List<StateJson> state, Boolean ragged,
                            String precision) {
    }

    private record StateJson(String input, String output, int layer, String kind, List<Object> shape,
                             String dtype, String initial, RetentionJson retention) {
    }

    private record RetentionJson(String policy, Integer window, Integer pinned, Integer axis) {
    }
}
