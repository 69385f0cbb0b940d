package io.baton.inference.models;

/**
 * What one segment produced, each tensor with a batch axis of 1: {@code logits} [1, T, vocab]
 * when the run fetched them ({@link SegmentModel.Fetch#LOGITS}, or a model without {@code
 * token_nll}), else null; {@code tokenNll} [1, T], the graph's negative log-likelihood of each
 * position's next token (0 where nothing was scored), when the run fetched it, else null;
 * {@code last_hidden_state} [1, T, hidden] (null for a model without it, and where the runner
 * pooled it itself); the state for the next segment (retention applied); the bytes of state this
 * segment moved into and out of ONNX Runtime; and {@code sentenceVectors}, the means of {@code
 * last_hidden_state} over the input's {@link SegmentInput#sentences() sentences} where the runner
 * computed them (where the hidden states lie: only the means cross to the host), else null (the
 * caller pools {@code lastHiddenState}).
 */
public record SegmentOutput(FloatTensor logits, FloatTensor tokenNll, FloatTensor lastHiddenState, DocumentState next,
                            StateBytes moved, float[][] sentenceVectors) {

    /** An output whose sentence vectors the caller pools from {@code lastHiddenState}. */
    public SegmentOutput(FloatTensor logits, FloatTensor tokenNll, FloatTensor lastHiddenState, DocumentState next,
                         StateBytes moved) {
        this(logits, tokenNll, lastHiddenState, next, moved, null);
    }

    /**
     * The bytes of state one segment moved: {@code in}, its {@code past*} inputs as fed (padding
     * of a batch's shorter pasts included), {@code out}, its {@code present*} outputs as copied
     * out (before retention drops the oldest slots).
     */
    public record StateBytes(long in, long out) {
    }
}
