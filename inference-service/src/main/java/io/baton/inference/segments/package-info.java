/**
 * Processing one segment of a document: the {@code POST /v1/segments} endpoint, the pipeline
 * that loads the previous checkpoint, runs the model in a batch with other documents' segments
 * (interactive segments before batch ones; of one length, or of any length where the model and its
 * runner take ragged batches) and stores the next checkpoint, and the read-outs
 * returned to the caller (sentence vectors, per-token negative log-likelihood). A document's next
 * segment sent before the answer runs from its predecessor's state while that checkpoint is
 * written ({@code InFlight}).
 */
package io.baton.inference.segments;
