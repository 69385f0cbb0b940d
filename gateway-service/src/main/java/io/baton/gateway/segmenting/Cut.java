package io.baton.gateway.segmenting;

import java.util.Locale;

/**
 * Where a {@link Segmenter} ends a segment ({@code baton.segmenting.cut}).
 *
 * <p>{@link #EXACT} (the default) gives every segment of a document but its last exactly
 * {@code maxTokens} tokens, so segments of different documents have the same length and the
 * inference service's batcher can run them together; a sentence that does not fit in what is
 * left of a segment is split, as a sentence longer than a segment always is. {@link #SENTENCE}
 * ends a segment at the last sentence end that fits, so a sentence is split only when it is
 * longer than a segment. The model's outputs do not depend on the cut (the state carries), and
 * a split sentence's vector is the token-weighted mean of its parts'; docs/gateway.md,
 * "Segments", has the rules and the measurements that chose the default.
 */
public enum Cut {

    /** Every segment but the last holds exactly {@code maxTokens} tokens (up to one character's tokens less). */
    EXACT,

    /** Segments end at sentence ends where a sentence fits. */
    SENTENCE;

    /** The cut a segmenter uses unless told otherwise. */
    public static final Cut DEFAULT = EXACT;

    /** The cut named {@code exact} or {@code sentence} (any case). */
    public static Cut named(String name) {
        if (name != null) {
            for (Cut cut : values()) {
                if (cut.name().equalsIgnoreCase(name.strip())) {
                    return cut;
                }
            }
        }
        throw new IllegalArgumentException("baton.segmenting.cut must be exact or sentence, got " + name);
    }

    /** The name as configured: {@code exact} or {@code sentence}. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
