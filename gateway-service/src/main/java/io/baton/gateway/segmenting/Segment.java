package io.baton.gateway.segmenting;

import java.util.Arrays;
import java.util.List;

/**
 * One segment of a document: the unit the model runs with the state the previous segment left.
 *
 * <p>A document's segments, in order, hold every token of it exactly once ({@code tokenOffset}
 * of one segment is the sum of the sizes of those before it) and cover every character exactly
 * once ({@code chars} of one starts where the previous one's ends). The sentences tile the
 * segment: their token ranges cover {@code [0, tokens.length)} and their character spans cover
 * {@code chars}, in order.
 *
 * @param index       the segment's number in the document (0 for the first)
 * @param tokenOffset the number of the document's tokens before this segment (the position of
 *                    its first token)
 * @param tokens      token ids; never more than the segmenter's maximum, never none. The array
 *                    is the record's own; callers must not modify it
 * @param sentences   the sentences, or parts of sentences, in the segment, in order
 * @param chars       the characters of the document the segment covers (UTF-16 indices)
 */
public record Segment(long index, long tokenOffset, long[] tokens, List<SegmentSentence> sentences, TextSpan chars) {

    public Segment {
        if (index < 0 || tokenOffset < 0) {
            throw new IllegalArgumentException("negative index or token offset: " + index + ", " + tokenOffset);
        }
        if (tokens == null || sentences == null || chars == null) {
            throw new IllegalArgumentException("tokens, sentences and chars are required");
        }
        sentences = List.copyOf(sentences);
    }

    /** The number of tokens. */
    public int size() {
        return tokens.length;
    }

    /**
     * The sentences as {@code [tokenStart, tokenEnd)} pairs of token offsets within the segment,
     * the form the inference service takes them in.
     */
    public List<int[]> sentenceTokenSpans() {
        return sentences.stream().map(s -> new int[] {s.tokenStart(), s.tokenEnd()}).toList();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Segment that
                && index == that.index
                && tokenOffset == that.tokenOffset
                && Arrays.equals(tokens, that.tokens)
                && sentences.equals(that.sentences)
                && chars.equals(that.chars);
    }

    @Override
    public int hashCode() {
        return ((Long.hashCode(index) * 31 + Long.hashCode(tokenOffset)) * 31 + Arrays.hashCode(tokens)) * 31
                + sentences.hashCode() * 31 + chars.hashCode();
    }

    @Override
    public String toString() {
        return "Segment[index=" + index + ", tokenOffset=" + tokenOffset + ", tokens=" + tokens.length
                + ", sentences=" + sentences.size() + ", chars=" + chars + "]";
    }
}
