/**
 * Models as Baton runs them: a model folder ({@code model.onnx}, {@code baton-model.json} or, for
 * an export from the Hugging Face hub, a plan {@link io.baton.inference.models.HubExportPlan}
 * derives from the graph and {@code config.json}), its state plan, and {@link
 * io.baton.inference.models.SegmentModel}, which runs one segment of one or more documents with
 * the state the previous segment left and applies each state tensor's retention policy to
 * produce the next state; for a model whose plan takes ragged batches ({@code "ragged": true}),
 * segments of different lengths run as one batch, padded on the right, each cut back to its own
 * length, its windows kept up to its last real token. {@link io.baton.inference.models.SegmentRunner}
 * says which runner runs a model's batches and whether it takes ragged ones.
 * {@link io.baton.inference.models.ModelRegistry} loads every model at
 * start-up; {@code GET /v1/models} lists them with their plans. The contract is described in
 * {@code docs/model-contract.md}.
 */
package io.baton.inference.models;
