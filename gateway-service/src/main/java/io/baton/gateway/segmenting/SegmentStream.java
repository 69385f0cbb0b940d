package io.baton.gateway.segmenting;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The segments of one document, built lazily from its sentences; see {@link Segmenter} for the
 * rules. Holds the segment being filled, the tokens of one sentence, and the segments that
 * sentence completed.
 */
final class SegmentStream implements Iterator<Segment> {

    private final Iterator<Sentence> sentences;
    private final TextTokenizer tokenizer;
    private final int maxTokens;
    private final Cut cut;
    private final ArrayDeque<Segment> ready = new ArrayDeque<>();

    /** The segment being filled. */
    private final long[] tokens;
    private int count;
    private final List<SegmentSentence> parts = new ArrayList<>();
    private long segmentStart;
    private long segmentEnd;

    private long nextIndex;
    private long tokenOffset;
    private boolean done;

    SegmentStream(Iterator<Sentence> sentences, TextTokenizer tokenizer, int maxTokens, Cut cut) {
        this.sentences = sentences;
        this.tokenizer = tokenizer;
        this.maxTokens = maxTokens;
        this.cut = cut;
        this.tokens = new long[maxTokens];
    }

    @Override
    public boolean hasNext() {
        while (ready.isEmpty() && !done) {
            if (sentences.hasNext()) {
                add(sentences.next());
            } else {
                flush();
                done = true;
            }
        }
        return !ready.isEmpty();
    }

    @Override
    public Segment next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more segments");
        }
        return ready.removeFirst();
    }

    private void add(Sentence sentence) {
        TextTokenizer.requireWellFormed(sentence.text(), sentence.start());
        TokenizedText encoded = tokenizer.encode(sentence.text());
        int n = encoded.size();
        if (cut == Cut.SENTENCE && count > 0 && n > maxTokens - count) {
            flush(); // cut at the sentence boundary
        }
        // What does not fit is split at token boundaries, each part but the last filling a segment.
        int from = 0;
        long charFrom = sentence.start();
        while (n - from > maxTokens - count) {
            int split = split(encoded, from, from + maxTokens - count);
            if (split == from) {
                if (count > 0) {
                    flush(); // not one whole character fits in what is left: the segment ends short
                    continue;
                }
                split = from + maxTokens; // one character with more tokens than a segment holds
            }
            long charTo = Math.max(charFrom, sentence.start() + encoded.charStarts()[split]);
            append(sentence.index(), encoded, from, split, charFrom, charTo);
            flush();
            from = split;
            charFrom = charTo;
        }
        append(sentence.index(), encoded, from, n, charFrom, sentence.end());
    }

    /**
     * The last token boundary in {@code (from, limit]} that is also a character boundary (the
     * token starts a character the previous token is not part of), so that no character's tokens
     * straddle two segments; {@code from} when there is none.
     */
    private static int split(TokenizedText encoded, int from, int limit) {
        int[] starts = encoded.charStarts();
        for (int c = limit; c > from; c--) {
            if (starts[c] > starts[c - 1]) {
                return c;
            }
        }
        return from;
    }

    private void append(long sentence, TokenizedText encoded, int from, int to, long charFrom, long charTo) {
        System.arraycopy(encoded.ids(), from, tokens, count, to - from);
        parts.add(new SegmentSentence(sentence, count, count + to - from, new TextSpan(charFrom, charTo)));
        count += to - from;
        segmentEnd = charTo;
    }

    /**
     * Completes the segment being filled. Sentences without tokens (possible with tokenizers
     * that drop whitespace) wait for the next one; a text with no tokens at all has no segments.
     */
    private void flush() {
        if (count == 0) {
            return;
        }
        ready.addLast(new Segment(nextIndex++, tokenOffset, Arrays.copyOf(tokens, count), parts,
                new TextSpan(segmentStart, segmentEnd)));
        tokenOffset += count;
        count = 0;
        parts.clear();
        segmentStart = segmentEnd;
    }
}
