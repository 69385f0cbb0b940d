/**
 * The inference-service application: the model registry and ONNX Runtime sessions that process
 * one segment of a document with the state the previous segment left.
 *
 * <p>Here: the entry point, the configuration record ({@link
 * io.baton.inference.InferenceProperties}) and the root exception. Capabilities live in
 * sub-packages, one each: {@code models} (model folders, state plans, the registry, {@code GET
 * /v1/models}), {@code runtime} (session options, execution providers, the runner scheduler),
 * {@code state} (checkpoints), {@code problems} (errors as problem details).
 */
package io.baton.inference;
