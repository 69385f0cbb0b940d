/**
 * What the gateway needs from the inference service ({@link io.baton.protocol.inference.InferenceClient}):
 * process one segment of a document. Over HTTP in distributed mode ({@link
 * io.baton.protocol.inference.HttpInferenceClient}: timeout, bounded retries of transient failures);
 * in the same JVM in standalone mode ({@code io.baton.standalone.InProcessInferenceClient}). Both
 * report an out-of-order segment as {@link io.baton.gateway.inference.SegmentConflictException}
 * naming the index the document expects, and every other refusal as {@link
 * io.baton.gateway.inference.InferenceRejectedException} with the inference service's type.
 */
package io.baton.gateway.inference;
