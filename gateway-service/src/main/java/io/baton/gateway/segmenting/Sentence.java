package io.baton.gateway.segmenting;

/**
 * One sentence of a document, as {@link SentenceSplitter} finds it: its text, with the
 * whitespace before it (the last sentence also keeps the whitespace the document ends with), and
 * where it starts.
 *
 * @param index the sentence's number in the document (0 for the first)
 * @param start its first character in the document (UTF-16 index)
 * @param text  its characters
 */
public record Sentence(long index, long start, String text) {

    public Sentence {
        if (index < 0 || start < 0) {
            throw new IllegalArgumentException("negative index or start: " + index + ", " + start);
        }
    }

    /** One past its last character in the document. */
    public long end() {
        return start + text.length();
    }

    /** Its characters in the document. */
    public TextSpan span() {
        return new TextSpan(start, end());
    }
}
