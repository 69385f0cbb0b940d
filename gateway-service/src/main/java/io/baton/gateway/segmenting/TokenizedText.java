package io.baton.gateway.segmenting;

import java.util.Arrays;

/**
 * The tokens of one text: their ids and, per token, the characters of the text it came from.
 *
 * <p>Character offsets are UTF-16 indices into the encoded {@code String}, {@code [start, end)}.
 * A token that is part of a character (one byte of a multi-byte UTF-8 character, for a byte-level
 * tokenizer) has that whole character's span, so all tokens of one character share one span, and
 * a supplementary character (outside the Basic Multilingual Plane, e.g. an emoji) spans both of
 * its surrogates. A token the tokenizer inserted without a source (none, since special tokens are
 * never added) would have an empty span at the end of the previous token.
 *
 * <p>The arrays are the record's own; callers must not modify them.
 *
 * @param ids        token ids
 * @param charStarts per token, the first character
 * @param charEnds   per token, one past the last character
 */
public record TokenizedText(long[] ids, int[] charStarts, int[] charEnds) {

    /** No tokens. */
    public static final TokenizedText EMPTY = new TokenizedText(new long[0], new int[0], new int[0]);

    public TokenizedText {
        if (charStarts.length != ids.length || charEnds.length != ids.length) {
            throw new IllegalArgumentException("ids, charStarts and charEnds differ in length: "
                    + ids.length + ", " + charStarts.length + ", " + charEnds.length);
        }
    }

    /** The number of tokens. */
    public int size() {
        return ids.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TokenizedText that
                && Arrays.equals(ids, that.ids)
                && Arrays.equals(charStarts, that.charStarts)
                && Arrays.equals(charEnds, that.charEnds);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(ids) + Arrays.hashCode(charStarts)) + Arrays.hashCode(charEnds);
    }

    @Override
    public String toString() {
        return "TokenizedText[" + ids.length + " tokens]";
    }
}
