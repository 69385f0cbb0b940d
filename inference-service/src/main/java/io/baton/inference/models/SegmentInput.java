package io.baton.inference.models;

import java.util.List;

/**
 * One document's segment in a batch: its token ids, the state it continues from (tensors with a
 * batch axis of 1), and {@code next}, the first token of the following segment when it is known
 * (negative: not known), which the segment's last position predicts. The model scores each
 * position's next token ({@code target_ids}: the tokens shifted left, {@code next} last).
 * {@code sentences} are the spans [start, end) of positions whose sentence vectors the caller
 * reads: a runner that pools {@code last_hidden_state} itself returns their means
 * ({@link SegmentOutput#sentenceVectors()}); others ignore them.
 */
public record SegmentInput(long[] tokens, DocumentState state, long next, List<int[]> sentences) {

    /** A segment with no sentences to read. */
    public SegmentInput(long[] tokens, DocumentState state, long next) {
        this(tokens, state, next, List.of());
    }

    /** A segment whose following token is not known: its last position scores nothing. */
    public SegmentInput(long[] tokens, DocumentState state) {
        this(tokens, state, -1);
    }

    /** The token each position predicts: the next one in the segment, then {@code next} (negative: none). */
    long target(int position) {
        return position + 1 < tokens.length ? tokens[position + 1] : next;
    }
}
