package io.baton.gateway.segmenting;

import java.io.IOException;
import java.io.Reader;
import java.text.BreakIterator;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Locale;
import java.util.NoSuchElementException;

/**
 * The sentences of a text read from a {@link Reader}, found a window at a time; see
 * {@link SentenceSplitter} for the rules. Holds at most one window of text, the sentences found
 * in it, and one sentence and the whitespace after it that wait for what follows them.
 *
 * <p>A boundary {@code BreakIterator} finds is taken only if at least {@code lookahead}
 * characters of the text follow it in the window (or the text has ended), so that what comes
 * after the window cannot change it; the rest of the window is kept and read again with the next
 * one. When a full window has no such boundary, the sentence is cut at the last start of a word
 * in the second half of the window, or else at the window's end (never inside a surrogate pair).
 *
 * <p>{@code BreakIterator} and the blank-line rule end a sentence after the whitespace that
 * follows it; {@link #shift} then moves that whitespace to the start of the next sentence, so a
 * sentence ends on its last non-whitespace character (only the last sentence of the text keeps
 * the whitespace the text ends with).
 */
final class SentenceReader implements Iterator<Sentence> {

    private final Reader reader;
    private final char[] window;
    private final int lookahead;
    private final BreakIterator breaks = BreakIterator.getSentenceInstance(Locale.ENGLISH);
    private final ArrayDeque<Sentence> ready = new ArrayDeque<>();

    /** Characters in the window. */
    private int length;
    private boolean endOfText;

    /** The last sentence cut, waiting for the next one to know whether it runs on into it. */
    private StringBuilder pending;
    private long nextIndex;

    /** A sentence that ends with a non-whitespace character, waiting to know if it is the last. */
    private String held;
    /** Whitespace that followed {@link #held}, or that starts the text: it starts the next sentence. */
    private final StringBuilder carry = new StringBuilder();
    /** Where the next sentence given out starts in the document. */
    private long nextStart;

    SentenceReader(Reader reader, int windowSize, int lookahead) {
        this.reader = reader;
        this.window = new char[windowSize];
        this.lookahead = lookahead;
    }

    @Override
    public boolean hasNext() {
        while (ready.isEmpty() && !(endOfText && length == 0 && pending == null && held == null && carry.isEmpty())) {
            fill();
            scan();
            if (endOfText && length == 0) {
                flushPending();
                finish();
            }
        }
        return !ready.isEmpty();
    }

    @Override
    public Sentence next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more sentences");
        }
        return ready.removeFirst();
    }

    private void fill() {
        try {
            while (!endOfText && length < window.length) {
                int n = reader.read(window, length, window.length - length);
                if (n < 0) {
                    endOfText = true;
                } else {
                    length += n;
                }
            }
        } catch (IOException e) {
            throw new TextReadException(e);
        }
    }

    private void scan() {
        if (length == 0) {
            return;
        }
        String text = new String(window, 0, length);
        int limit = endOfText ? length : length - lookahead;
        breaks.setText(text);
        int start = 0;
        for (int end = breaks.following(0); end != BreakIterator.DONE && end <= limit; end = breaks.next()) {
            emit(text, start, end);
            start = end;
        }
        if (start == 0 && !endOfText) {
            int cut = forcedCut(text, limit);
            emit(text, 0, cut);
            start = cut;
        }
        System.arraycopy(window, start, window, 0, length - start);
        length -= start;
    }

    /** Emits {@code [from, to)} of the window as sentences, split further at blank lines. */
    private void emit(String text, int from, int to) {
        int start = from;
        for (int paragraph : SentenceRules.paragraphStarts(text, from, to)) {
            add(text.substring(start, paragraph));
            start = paragraph;
        }
        add(text.substring(start, to));
    }

    /**
     * Takes the next piece as {@code BreakIterator} and the blank-line rule cut it; it joins the
     * sentence before it when that one runs on ({@link SentenceRules#runsOn}) and both fit in a
     * window.
     */
    private void add(String sentence) {
        if (pending != null && (!SentenceRules.runsOn(pending, sentence)
                || pending.length() + sentence.length() > window.length)) {
            flushPending();
        }
        if (pending == null) {
            pending = new StringBuilder(sentence);
        } else {
            pending.append(sentence);
        }
    }

    private void flushPending() {
        if (pending != null) {
            shift(pending.toString());
            pending = null;
        }
    }

    /**
     * Takes the next sentence as {@code BreakIterator} and the rules cut it (with the whitespace
     * after it) and gives out the sentence before it with that sentence's trailing whitespace
     * moved here, to the front. Keeps every sentence within a window: when the whitespace and the
     * sentence after it would not fit in one, the whitespace but its last character (or, if even
     * that does not fit, all of it) is given out as a sentence of its own.
     */
    private void shift(String sentence) {
        int body = trailingWhitespaceStart(sentence);
        if (body == 0) { // whitespace only: it joins the whitespace before the next sentence
            if (carry.length() + sentence.length() > window.length) {
                giveHeld();
                give(carry.toString());
                carry.setLength(0);
            }
            carry.append(sentence);
            return;
        }
        giveHeld();
        if (carry.length() + body > window.length) {
            int keep = carry.length() > 1 && carry.length() - 1 + body <= window.length ? 1 : 0;
            give(carry.substring(0, carry.length() - keep));
            carry.delete(0, carry.length() - keep);
        }
        held = carry.append(sentence, 0, body).toString();
        carry.setLength(0);
        carry.append(sentence, body, sentence.length());
    }

    /** At the end of the text: the last sentence keeps the whitespace that ends the text. */
    private void finish() {
        if (held != null && held.length() + carry.length() <= window.length) {
            held += carry;
            carry.setLength(0);
        }
        giveHeld();
        if (!carry.isEmpty()) {
            give(carry.toString());
            carry.setLength(0);
        }
    }

    private void giveHeld() {
        if (held != null) {
            give(held);
            held = null;
        }
    }

    private void give(String sentence) {
        ready.addLast(new Sentence(nextIndex++, nextStart, sentence));
        nextStart += sentence.length();
    }

    /** Where the whitespace (as {@link #isSpace} means it) that ends a sentence starts. */
    private static int trailingWhitespaceStart(String sentence) {
        int end = sentence.length();
        while (end > 0 && isSpace(sentence.charAt(end - 1))) {
            end--;
        }
        return end;
    }

    /**
     * Whether a character is whitespace as a tokenizer's {@code \s} means it: the Unicode
     * {@code White_Space} property (U+0009-U+000D, U+0085 and the space, line and paragraph
     * separators, no-break spaces included). Not {@link Character#isWhitespace}, which leaves out
     * the no-break spaces and U+0085 and counts U+001C-U+001F, which a pre-tokenizer joins to the
     * punctuation before them.
     */
    static boolean isSpace(char c) {
        return (c >= '\t' && c <= '\r') || c == '\u0085' || Character.isSpaceChar(c);
    }

    private static int forcedCut(String text, int limit) {
        for (int i = limit; i > limit / 2; i--) {
            if (Character.isWhitespace(text.charAt(i - 1)) && !Character.isWhitespace(text.charAt(i))) {
                return i;
            }
        }
        return Character.isHighSurrogate(text.charAt(limit - 1)) ? limit - 1 : limit;
    }
}
