package io.baton.gateway.summarize;

/**
 * How much of a document is a transcript: the share of its non-blank lines that open with a
 * speaker label ({@code "Grad A: we had a long discussion"}, {@code "Project Manager: okay"}).
 * A learned selector (issue 17, {@link LearnedRelevance}) weighs a sentence differently in a
 * meeting than in a story: the greedy oracle takes long turns that state a decision from a
 * meeting and short plot sentences from a story. The share tells them apart where the mean
 * sentence length does not (docs/quality.md#the-learned-selector): 0.76 to 1.00 on every QMSum
 * meeting, 0.00 to 0.02 on every SQuALITY story.
 *
 * <p>A label is, after any spaces or tabs at the line's start, an upper-case letter, then at most
 * {@value #MAX_LABEL} more letters, digits, spaces, periods, apostrophes, hyphens or underscores,
 * then a colon followed by whitespace or the line's end. One pass over the characters, nothing
 * allocated: it runs on every summary, whatever the document's length.
 */
public final class SpeakerTurns {

    /** The most characters of a label after its first. */
    static final int MAX_LABEL = 30;

    private SpeakerTurns() {
    }

    /** The share of {@code text}'s non-blank lines that open with a speaker label; 0 when it has none. */
    public static double share(CharSequence text) {
        long lines = 0;
        long labelled = 0;
        int n = text.length();
        int i = 0;
        while (i < n) {
            int end = i;
            while (end < n && text.charAt(end) != '\n') {
                end++;
            }
            int first = i;
            while (first < end && Character.isWhitespace(text.charAt(first))) {
                first++;
            }
            if (first < end) {
                lines++;
                if (opensWithLabel(text, first, end)) {
                    labelled++;
                }
            }
            i = end + 1;
        }
        return lines == 0 ? 0 : (double) labelled / lines;
    }

    /** Whether the line's characters {@code [first, end)}, from its first non-blank one, open with a label. */
    private static boolean opensWithLabel(CharSequence text, int first, int end) {
        if (!Character.isUpperCase(text.charAt(first))) {
            return false;
        }
        int last = Math.min(end, first + 1 + MAX_LABEL + 1);
        for (int i = first + 1; i < last; i++) {
            char c = text.charAt(i);
            if (c == ':') {
                return i + 1 == end || Character.isWhitespace(text.charAt(i + 1));
            }
            if (!(Character.isLetterOrDigit(c) || c == ' ' || c == '.' || c == '\'' || c == '-' || c == '_')) {
                return false;
            }
        }
        return false;
    }
}
