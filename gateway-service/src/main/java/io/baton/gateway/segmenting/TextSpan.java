package io.baton.gateway.segmenting;

/**
 * A range {@code [start, end)} of characters in a document, in UTF-16 code units: the indices of
 * Java's {@link String} and of JavaScript strings, so a caller can cut or highlight the text with
 * them directly. Offsets are {@code long} because a streamed document is not bounded by the size
 * of one {@code String}.
 *
 * @param start the first character
 * @param end   one past the last character
 */
public record TextSpan(long start, long end) {

    public TextSpan {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("not a span: [" + start + ", " + end + ")");
        }
    }

    /** The number of characters in the span. */
    public long length() {
        return end - start;
    }
}
