/**
 * Models as Baton runs them: a model folder ({@code model.onnx}, {@code baton-model.json},
 * {@code config.json}, {@code tokenizer.json}), its state plan, and {@link
 * io.baton.inference.models.SegmentModel}, which runs one segment with the state the previous
 * segment left and applies each state tensor's retention policy to produce the next state.
 * The contract is described in {@code docs/model-contract.md}.
 */
package io.baton.inference.models;
