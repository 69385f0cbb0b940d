package io.baton.reliability.fuzz;

import io.baton.gateway.segmenting.Sentence;
import io.baton.gateway.segmenting.SentenceSplitter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;

/**
 * The gateway's sentence splitter ({@link SentenceSplitter}, which streams through {@code
 * SentenceReader} a 65,536-character window at a time) on arbitrary text. An input whose first
 * byte is even is read as UTF-8 (malformed bytes become U+FFFD); an odd one as UTF-16LE code
 * units, so lone surrogates, controls and any BMP character appear. When the second byte is odd
 * the text is repeated until it passes 70,000 characters, which takes the reader across a window
 * with the fuzzer's text at every offset. Typed: none (a text in memory has nothing that can fail
 * to read, so any exception is a finding). Properties of the sentences: numbered 0, 1, 2, ...,
 * each starting where the one before ended, none empty, none longer than a window, each holding
 * exactly its span of the text, and together covering the whole text.
 */
public final class SentenceSplitterFuzz {

    private static final SentenceSplitter SPLITTER = new SentenceSplitter();
    private static final int REPEATED_LENGTH = 70_000;

    private SentenceSplitterFuzz() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        if (data.length < 2) {
            return;
        }
        String text = decode(data);
        if ((data[1] & 1) == 1 && !text.isEmpty()) {
            text = text.repeat(REPEATED_LENGTH / text.length() + 1);
        }
        check(text);
    }

    static String decode(byte[] data) {
        if ((data[0] & 1) == 0) {
            return new String(data, 2, data.length - 2, StandardCharsets.UTF_8);
        }
        ByteBuffer units = ByteBuffer.wrap(data, 2, data.length - 2).order(ByteOrder.LITTLE_ENDIAN);
        char[] chars = new char[units.remaining() / 2];
        units.asCharBuffer().get(chars);
        return new String(chars);
    }

    static void check(String text) {
        Iterator<Sentence> sentences = SPLITTER.sentences(text);
        long expectedIndex = 0;
        long expectedStart = 0;
        while (sentences.hasNext()) {
            Sentence sentence = sentences.next();
            if (sentence.index() != expectedIndex) {
                throw new IllegalStateException("sentence " + expectedIndex + " is numbered " + sentence.index());
            }
            if (sentence.start() != expectedStart) {
                throw new IllegalStateException("sentence " + sentence.index() + " starts at " + sentence.start()
                        + ", not where the last one ended (" + expectedStart + ")");
            }
            if (sentence.text().isEmpty()) {
                throw new IllegalStateException("sentence " + sentence.index() + " is empty");
            }
            if (sentence.text().length() > SPLITTER.maxSentenceLength()) {
                throw new IllegalStateException("sentence " + sentence.index() + " has " + sentence.text().length()
                        + " characters, more than a window");
            }
            if (sentence.end() > text.length()
                    || !text.regionMatches((int) sentence.start(), sentence.text(), 0, sentence.text().length())) {
                throw new IllegalStateException("sentence " + sentence.index() + " is not the text at ["
                        + sentence.start() + ", " + sentence.end() + ")");
            }
            expectedIndex++;
            expectedStart = sentence.end();
        }
        if (expectedStart != text.length()) {
            throw new IllegalStateException("the sentences cover " + expectedStart + " of " + text.length() + " characters");
        }
    }
}
