package io.baton.inference.models;

/**
 * What one segment produced, each tensor with a batch axis of 1: {@code logits} [1, T, vocab]
 * when the run fetched them ({@link SegmentModel.Fetch#LOGITS}, or a model without {@code
 * token_nll}), else null; {@code tokenNll} [1, T], the graph's negative log-likelihood of each
 * position's next token (0 where nothing was scored), when the run fetched it, else null;
 * {@code last_hidden_state} [1, T, hidden] (null for a model without it); the state for the next
 * segment (retention applied); and the bytes of state this segment moved into and out of ONNX
 * Runtime.
 */
public record SegmentOutput(FloatTensor logits, FloatTensor tokenNll, FloatTensor lastHiddenState, DocumentState next,
                            StateBytes moved) {

    /**
     * The bytes of state one segment moved: {@code in}, its {@code past*} inputs as fed (padding
     * of a batch's shorter pasts included), {@code out}, its {@code present*} outputs as copied
     * out (before retention drops the oldest slots).
     */
    public record StateBytes(long in, long out) {
    }
}
