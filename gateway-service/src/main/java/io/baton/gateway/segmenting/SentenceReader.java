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
 * {@link SentenceSplitter} for the rules. Holds at most one window of text and the sentences
 * found in it.
 *
 * <p>A boundary {@code BreakIterator} finds is taken only if at least {@code lookahead}
 * characters of the text follow it in the window (or the text has ended), so that what comes
 * after the window cannot change it; the rest of the window is kept and read again with the next
 * one. When a full window has no such boundary, the sentence is cut at the last start of a word
 * in the second half of the window, or else at the window's end (never inside a surrogate pair).
 */
final class SentenceReader implements Iterator<Sentence> {

    private final Reader reader;
    private final char[] window;
    private final int lookahead;
    private final BreakIterator breaks = BreakIterator.getSentenceInstance(Locale.ENGLISH);
    private final ArrayDeque<Sentence> ready = new ArrayDeque<>();

    /** Characters in the window. */
    private int length;
    /** Where {@code window[0]} is in the document. */
    private long windowStart;
    private boolean endOfText;

    /** A sentence that ended in an abbreviation, waiting for the one it runs on into. */
    private StringBuilder pending;
    private long pendingStart;
    private long nextIndex;

    SentenceReader(Reader reader, int windowSize, int lookahead) {
        this.reader = reader;
        this.window = new char[windowSize];
        this.lookahead = lookahead;
    }

    @Override
    public boolean hasNext() {
        while (ready.isEmpty() && !(endOfText && length == 0 && pending == null)) {
            fill();
            scan();
            if (endOfText && length == 0) {
                flushPending();
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
        windowStart += start;
    }

    /** Emits {@code [from, to)} of the window as sentences, split further at blank lines. */
    private void emit(String text, int from, int to) {
        int start = from;
        for (int paragraph : SentenceRules.paragraphStarts(text, from, to)) {
            add(text.substring(start, paragraph), windowStart + start);
            start = paragraph;
        }
        add(text.substring(start, to), windowStart + start);
    }

    private void add(String sentence, long start) {
        if (pending != null && pending.length() + sentence.length() <= window.length) {
            pending.append(sentence);
        } else {
            flushPending();
            pending = new StringBuilder(sentence);
            pendingStart = start;
        }
        if (!SentenceRules.endsWithAbbreviation(pending)) {
            flushPending();
        }
    }

    private void flushPending() {
        if (pending != null) {
            ready.addLast(new Sentence(nextIndex++, pendingStart, pending.toString()));
            pending = null;
        }
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
