/**
 * Processing one segment of a document: the {@code POST /v1/segments} endpoint, the pipeline
 * that loads the previous checkpoint, runs the model in a batch with other documents' segments
 * (interactive segments before batch ones) and stores the next checkpoint, and the read-outs
 * returned to the caller (sentence vectors, per-token negative log-likelihood).
 */
package io.baton.inference.segments;
