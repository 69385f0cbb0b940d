package io.baton.inference.models;

import java.util.List;

/**
 * One model as {@code GET /v1/models} describes it.
 *
 * @param id          the model id (its folder name), as requests name it
 * @param family      the family ({@code baton-model.json}'s {@code family}, or {@code config.json}'s
 *                    {@code model_type} for a hub export)
 * @param digest      SHA-256 of {@code model.onnx}, hex: stored state only ever continues with this
 * @param vocabSize   token ids are 0 .. vocabSize - 1
 * @param maskPast    the past part of {@code attention_mask}; null where the past grows (hub
 *                    exports), where it is each document's longest kept past
 * @param pastGrows   whether attention pasts grow from empty (hub exports) instead of being fixed windows
 * @param hiddenState whether the model returns {@code last_hidden_state} (needed for sentence vectors)
 * @param inputs      the non-state inputs the model takes
 * @param state       the state plan, in input order
 * @param stateBytes  the most bytes of state one document has (every window full)
 * @param ragged      whether segments of different lengths run in one batch (the plan's {@code
 *                    "ragged"}); false: a batch holds segments of one length
 * @param precision   what the graph computes its products in: {@code fp32}, or {@code fp16} for a float16
 *                    variant ({@code models.reexport --out DIR --precision fp16}); its inputs, outputs and
 *                    states are float32 either way
 */
public record ModelInfo(String id, String family, String digest, int vocabSize, Integer maskPast,
                        boolean pastGrows, boolean hiddenState, List<String> inputs,
                        List<StateTensorInfo> state, long stateBytes, boolean ragged, String precision) {

    static ModelInfo of(SegmentModel model) {
        StatePlan plan = model.plan();
        return new ModelInfo(model.id(), plan.family(), model.digest(), plan.vocabSize(),
                plan.pastGrows() ? null : plan.maskPast(), plan.pastGrows(), model.hasHiddenState(), plan.inputs(),
                plan.state().stream().map(StateTensorInfo::of).toList(), plan.stateBytes(), plan.ragged(),
                plan.precision());
    }
}
