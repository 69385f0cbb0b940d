package io.baton.inference.models;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Derives the state plan of an ONNX export from the Hugging Face hub, a model folder without
 * {@code baton-model.json}, from the graph's input names and shapes and {@code config.json}.
 *
 * <ul>
 *   <li>{@code past_key_values.{i}.key/.value} [batch, kv_heads, past, head_dim]: a window
 *       that grows from an empty past ({@link Retention#growingWindow}); {@code sliding_window}
 *       slots for a sliding layer ({@code layer_types[i]} names a sliding attention, or, without
 *       {@code layer_types}, every layer when {@code sliding_window} is set), {@code maxPast}
 *       slots for a global layer, which is then not exact for documents longer than that;
 *   <li>{@code past_conv.{i}}, {@code past_ssm.{i}}, {@code past_recurrent.{i}}: replaced;
 *   <li>dimensions from the graph; a symbolic one other than batch and past length is looked up
 *       in {@code config.json} by its name (for attention, {@code num_key_value_heads} /
 *       {@code num_attention_heads} and {@code head_dim} / {@code hidden_size / num_attention_heads}
 *       too), and refused with a message when it cannot be found;
 *   <li>{@code vocab_size} and the family ({@code model_type}) from {@code config.json}.
 * </ul>
 */
public final class HubExportPlan {

    /** The default of {@code baton.models.max-past}. */
    public static final int DEFAULT_MAX_PAST = 4096;

    private static final Set<String> FED_INPUTS = Set.of("input_ids", "attention_mask", "position_ids", "target_ids");
    private static final Pattern KV = Pattern.compile("past_key_values\\.(\\d+)\\.(key|value)");
    private static final Pattern FIXED = Pattern.compile("past_(conv|ssm|recurrent)\\.(\\d+)");
    private static final int PAST_AXIS = 2;

    private final String model;
    private final JsonNode config;
    private final int maxPast;

    private HubExportPlan(String model, JsonNode config, int maxPast) {
        this.model = model;
        this.config = config;
        this.maxPast = maxPast;
    }

    /**
     * The plan of the graph whose inputs are {@code inputs} (in input order) and outputs {@code
     * outputs}, with {@code folder/config.json}.
     */
    public static StatePlan derive(String model, Path folder, Map<String, NodeInfo> inputs, Set<String> outputs,
                                   int maxPast) {
        Path file = folder.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            throw new ModelContractException("model " + model + ": " + folder
                    + " has neither baton-model.json nor config.json, so its state plan cannot be known");
        }
        JsonNode config;
        try {
            config = JsonMapper.builder().build().readTree(Files.readAllBytes(file));
        } catch (IOException | JacksonException e) {
            throw new ModelContractException("model " + model + ": cannot read " + file + ": " + e.getMessage(), e);
        }
        return new HubExportPlan(model, config, maxPast).derive(inputs, outputs);
    }

    private StatePlan derive(Map<String, NodeInfo> inputs, Set<String> outputs) {
        if (!outputs.contains("logits")) {
            throw refuse("the graph has no 'logits' output");
        }
        List<String> fed = new ArrayList<>();
        List<StateTensorSpec> state = new ArrayList<>();
        for (NodeInfo input : inputs.values()) {
            String name = input.getName();
            if (name.startsWith("past")) {
                state.add(spec(name, tensorInfo(input)));
            } else if (FED_INPUTS.contains(name)) {
                fed.add(name);
            } else {
                throw refuse("input '" + name + "' is not one Baton feeds (" + String.join(", ", FED_INPUTS.stream().sorted().toList())
                        + ", and past_* state)");
            }
        }
        if (!fed.contains("input_ids")) {
            throw refuse("the graph has no 'input_ids' input");
        }
        String family = string("model_type").orElseThrow(() -> refuse("config.json has no model_type"));
        int vocab = integer("vocab_size").orElseThrow(() -> refuse("config.json has no integer vocab_size"));
        return new StatePlan(family, fed, 0, vocab, state);
    }

    private StateTensorSpec spec(String name, TensorInfo info) {
        if (info.type != OnnxJavaType.FLOAT) {
            throw refuse("state input '" + name + "' is " + info.type + "; only float32 state is supported");
        }
        Matcher kv = KV.matcher(name);
        if (kv.matches()) {
            int layer = Integer.parseInt(kv.group(1));
            long[] shape = dims(name, info, true);
            if (shape.length != 3) {
                throw refuse("state input '" + name + "' has rank " + (shape.length + 1)
                        + "; attention keys and values are [batch, kv_heads, past, head_dim]");
            }
            return new StateTensorSpec(name, StatePlan.presentNameFor(name), layer, kv.group(2), shape,
                    Retention.growingWindow(window(layer), PAST_AXIS));
        }
        Matcher fixed = FIXED.matcher(name);
        if (fixed.matches()) {
            return new StateTensorSpec(name, StatePlan.presentNameFor(name), Integer.parseInt(fixed.group(2)),
                    fixed.group(1), dims(name, info, false), Retention.REPLACE);
        }
        throw refuse("state input '" + name + "' is none of past_key_values.{i}.key/.value, past_conv.{i}, "
                + "past_ssm.{i}, past_recurrent.{i}");
    }

    /** How many past tokens attention layer {@code layer} keeps. */
    private int window(int layer) {
        Optional<Integer> sliding = integer("sliding_window").filter(w -> w > 0);
        JsonNode types = config.get("layer_types");
        boolean slidingLayer;
        if (types != null && types.isArray()) {
            if (layer >= types.size()) {
                throw refuse("config.json layer_types has " + types.size() + " entries, the graph has layer " + layer);
            }
            slidingLayer = types.get(layer).asString("").contains("sliding");
        } else {
            slidingLayer = sliding.isPresent();
        }
        if (!slidingLayer) {
            return maxPast;
        }
        return sliding.orElseThrow(() -> refuse("layer " + layer
                + " is a sliding attention layer but config.json has no positive sliding_window"));
    }

    /** The shape without the batch axis, the past axis of attention at length 0. */
    private long[] dims(String name, TensorInfo info, boolean attention) {
        long[] shape = info.getShape();
        String[] names = info.getDimensionNames();
        long[] out = new long[shape.length - 1];
        for (int axis = 1; axis < shape.length; axis++) {
            if (attention && axis == PAST_AXIS) {
                out[axis - 1] = 0;
            } else if (shape[axis] >= 0) {
                out[axis - 1] = shape[axis];
            } else {
                String symbol = names != null && axis < names.length ? names[axis] : "";
                out[axis - 1] = resolve(name, axis, symbol, attention);
            }
        }
        return out;
    }

    private long resolve(String input, int axis, String symbol, boolean attention) {
        List<String> tried = new ArrayList<>();
        if (!symbol.isEmpty()) {
            tried.add(symbol);
            Optional<Integer> named = integer(symbol);
            if (named.isPresent()) {
                return named.get();
            }
        }
        if (attention && axis == 1) {
            tried.addAll(List.of("num_key_value_heads", "num_attention_heads"));
            Optional<Integer> heads = integer("num_key_value_heads").or(() -> integer("num_attention_heads"));
            if (heads.isPresent()) {
                return heads.get();
            }
        }
        if (attention && axis == 3) {
            tried.addAll(List.of("head_dim", "hidden_size / num_attention_heads"));
            Optional<Integer> headDim = integer("head_dim").or(() -> integer("hidden_size")
                    .flatMap(h -> integer("num_attention_heads").map(n -> h / n)));
            if (headDim.isPresent()) {
                return headDim.get();
            }
        }
        throw refuse("axis " + axis + " of state input '" + input + "' is symbolic ('" + symbol
                + "') and config.json has no integer for it (looked for " + String.join(", ", tried)
                + "); only the batch axis and the past length may be symbolic");
    }

    private static TensorInfo tensorInfo(NodeInfo input) {
        if (input.getInfo() instanceof TensorInfo info) {
            return info;
        }
        throw new ModelContractException("input '" + input.getName() + "' is not a tensor: " + input.getInfo());
    }

    private Optional<Integer> integer(String key) {
        JsonNode node = config.get(key);
        return node != null && node.isIntegralNumber() && node.canConvertToInt()
                ? Optional.of(node.intValue()) : Optional.empty();
    }

    private Optional<String> string(String key) {
        JsonNode node = config.get(key);
        return node != null && node.isString() ? Optional.of(node.stringValue()) : Optional.empty();
    }

    private ModelContractException refuse(String why) {
        return new ModelContractException("model " + model + " (no baton-model.json, plan derived from the graph "
                + "and config.json): " + why);
    }
}
