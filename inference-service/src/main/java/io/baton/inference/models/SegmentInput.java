package io.baton.inference.models;

/**
 * One document's segment in a batch: its token ids and the state it continues from (tensors
 * with a batch axis of 1).
 */
public record SegmentInput(long[] tokens, DocumentState state) {
}
