/**
 * The inference-service application: the model registry and ONNX Runtime sessions that process one segment of a document with the state the previous segment left.
 *
 * <p>Capabilities live in sub-packages, one each.
 */
package io.baton.inference;
