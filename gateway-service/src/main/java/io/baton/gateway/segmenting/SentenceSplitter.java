package io.baton.gateway.segmenting;

import java.io.Reader;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Splits a text into sentences whose spans cover it exactly, so the sentences' texts concatenate
 * to the text; an empty text has no sentences, and whitespace alone is one.
 *
 * <p><b>Whitespace starts a sentence.</b> The whitespace between two sentences belongs to the
 * second: a sentence ends on its last character that is not whitespace, and the next one starts
 * right after it ({@code "One." | " Two."}, {@code "Title" | "\n\nText"}). The first sentence
 * keeps the whitespace the text starts with, the last the whitespace it ends with. Whitespace is
 * what a tokenizer's {@code \s} matches (Unicode {@code White_Space}, no-break spaces
 * included). This is where a GPT-2 style pre-tokenizer cuts too: it attaches a space to the word
 * after it ({@code " Two"}) and never joins a character to the whitespace after it, so tokenising
 * each sentence on its own gives the tokens of the whole text ({@link Segmenter}).
 *
 * <p>Reads a window of text at a time, so a document of any length streams through.
 *
 * <p>The rules:
 * <ol>
 *   <li>{@link java.text.BreakIterator#getSentenceInstance(java.util.Locale)} for
 *       {@code Locale.ENGLISH}, the JDK's rule-based sentence boundaries: a sentence ends after
 *       {@code .}, {@code ?} or {@code !} (with closing quotes and brackets) and the whitespace
 *       after it, when what follows does not continue the sentence. It knows no abbreviations:
 *       after a period it breaks when the next word starts with a capital letter ({@code Mr. |Smith},
 *       {@code the U.S. |Army}) and does not when it starts in lower case or with a digit after an
 *       abbreviation it could not know ({@code e.g. this}, {@code 3 p.m. on Monday} stay whole).
 *       A single line break never ends a sentence, so hard-wrapped text reads as prose.</li>
 *   <li>A blank line ends a sentence (headings, list items and titles without a final period).</li>
 *   <li>A sentence that ends with a title ({@code Mr.}, {@code Mrs.}, {@code Dr.}, {@code St.},
 *       {@code Capt.} ...) or a single capital initial ({@code J.}) runs on into the next one,
 *       since a name follows. Erring this way only makes a sentence longer, never loses one.</li>
 *   <li>A cut with no whitespace at it, between two characters of one kind (both letters, both
 *       digits, or both punctuation and symbols, as {@code BreakIterator} sometimes cuts an
 *       ellipsis {@code .|..}), is not a sentence end: the pieces run on. A tokenizer keeps such
 *       characters in one pre-token.</li>
 *   <li>A run of text with no sentence end for a whole window (about 64,000 characters) is cut
 *       before the whitespace in front of a word (or, in text without spaces, anywhere outside a
 *       surrogate pair).</li>
 *   <li>No sentence is longer than a window: whitespace between two sentences that would not fit
 *       in one with the sentence after it leaves all but its last character as a sentence of its
 *       own (of whitespace alone).</li>
 * </ol>
 *
 * <p>Offsets are UTF-16 indices. A splitter is immutable and may be shared; each call starts its
 * own iteration, which must stay on one thread.
 */
public final class SentenceSplitter {

    static final int DEFAULT_WINDOW = 1 << 16;
    static final int DEFAULT_LOOKAHEAD = 1 << 10;

    private final int window;
    private final int lookahead;

    /** A splitter with the default window. */
    public SentenceSplitter() {
        this(DEFAULT_WINDOW, DEFAULT_LOOKAHEAD);
    }

    /**
     * A splitter with another window, for tests of the streaming itself.
     *
     * @param window    characters read at a time, and the longest sentence
     * @param lookahead characters that must follow a boundary in the window before it is taken
     */
    SentenceSplitter(int window, int lookahead) {
        if (lookahead < 1 || window < 2 * lookahead + 2) {
            throw new IllegalArgumentException("window " + window + " must hold more than twice the lookahead "
                    + lookahead + " (at least 1)");
        }
        this.window = window;
        this.lookahead = lookahead;
    }

    /**
     * The sentences of a text, read lazily from {@code text}. The caller closes the reader; a
     * failure to read surfaces as {@link TextReadException}.
     */
    public Iterator<Sentence> sentences(Reader text) {
        return new SentenceReader(text, window, lookahead);
    }

    /** The sentences of a text in memory. */
    public Iterator<Sentence> sentences(CharSequence text) {
        return sentences(new CharSequenceReader(text));
    }

    /** The spans of a text's sentences; they cover the text exactly, in order. */
    public List<TextSpan> split(CharSequence text) {
        List<TextSpan> spans = new ArrayList<>();
        sentences(text).forEachRemaining(sentence -> spans.add(sentence.span()));
        return spans;
    }

    /** The longest sentence this splitter gives, in characters: one window. */
    public int maxSentenceLength() {
        return window;
    }
}
