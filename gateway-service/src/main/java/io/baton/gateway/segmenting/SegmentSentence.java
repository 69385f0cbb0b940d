package io.baton.gateway.segmenting;

/**
 * A sentence, or the part of one, inside a {@link Segment}.
 *
 * <p>A sentence longer than a segment is split across consecutive segments; its parts share
 * {@code sentence}, and their character spans, in order, cover the sentence's.
 *
 * @param sentence   the sentence's number in the document ({@link Sentence#index()})
 * @param tokenStart its first token, as an offset within the segment
 * @param tokenEnd   one past its last token within the segment ({@code [tokenStart, tokenEnd)})
 * @param chars      the characters of the document its tokens cover, with the whitespace before
 *                   them (UTF-16 indices)
 */
public record SegmentSentence(long sentence, int tokenStart, int tokenEnd, TextSpan chars) {

    public SegmentSentence {
        if (sentence < 0 || tokenStart < 0 || tokenEnd < tokenStart) {
            throw new IllegalArgumentException("not a sentence span: sentence " + sentence
                    + ", tokens [" + tokenStart + ", " + tokenEnd + ")");
        }
        if (chars == null) {
            throw new IllegalArgumentException("chars is required");
        }
    }

    /** The number of its tokens in the segment. */
    public int tokenCount() {
        return tokenEnd - tokenStart;
    }
}
