package io.baton.inference.models;

/**
 * What one segment produced: {@code logits} [batch, segment, vocab], {@code last_hidden_state}
 * [batch, segment, hidden], and the state for the next segment (retention applied).
 */
public record SegmentOutput(FloatTensor logits, FloatTensor lastHiddenState, DocumentState next) {
}
