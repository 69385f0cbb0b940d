package io.baton.gateway.segmenting;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.common.testing.DataFiles;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A 5-million-character document streams through the segmenter: it is generated as it is read
 * (Moby Dick, repeated), the segments are consumed one at a time and never collected, and the
 * segmenter never reads far ahead of the segment it hands out.
 */
class SegmenterStreamingTest {

    static final long LENGTH = 5_000_000;

    /** Moby Dick over and over, {@link #LENGTH} characters in all, counting what was read. */
    static final class RepeatedText extends Reader {

        private final String source;
        private long read;

        RepeatedText(String source) {
            this.source = source;
        }

        @Override
        public int read(char[] buffer, int offset, int length) {
            if (read >= LENGTH) {
                return -1;
            }
            int from = (int) (read % source.length());
            int n = (int) Math.min(Math.min(length, source.length() - from), LENGTH - read);
            source.getChars(from, from + n, buffer, offset);
            read += n;
            return n;
        }

        long charsRead() {
            return read;
        }

        /** Characters {@code [start, end)} of the document, from the source. */
        String slice(long start, long end) {
            StringBuilder slice = new StringBuilder((int) (end - start));
            for (long at = start; at < end; ) {
                int from = (int) (at % source.length());
                int n = (int) Math.min(source.length() - from, end - at);
                slice.append(source, from, from + n);
                at += n;
            }
            return slice.toString();
        }

        @Override
        public void close() {
        }
    }

    @ParameterizedTest
    @EnumSource(Cut.class)
    void fiveMillionCharactersStreamThroughInBoundedMemory(Cut cut) {
        String mobyDick = DataFiles.mobyDick();
        long copies = LENGTH / mobyDick.length();
        String rest = mobyDick.substring(0, (int) (LENGTH % mobyDick.length()));
        long expectedTokens = copies * mobyDick.getBytes(StandardCharsets.UTF_8).length
                + rest.getBytes(StandardCharsets.UTF_8).length;

        RepeatedText text = new RepeatedText(mobyDick);
        long tokens = 0;
        long chars = 0;
        long segments = 0;
        long maxReadAhead = 0;
        int previousSize = Segmenter.DEFAULT_MAX_TOKENS;
        try (TextTokenizer tokenizer = TextTokenizer.load(TestData.gemma2())) {
            Iterator<Segment> iterator = new Segmenter(tokenizer, Segmenter.DEFAULT_MAX_TOKENS, cut).segments(text);
            while (iterator.hasNext()) {
                Segment segment = iterator.next();
                assertEquals(segments, segment.index());
                assertEquals(tokens, segment.tokenOffset(), "no token dropped or repeated before segment " + segments);
                assertEquals(chars, segment.chars().start(), "no character dropped or repeated before segment " + segments);
                assertTrue(segment.size() <= Segmenter.DEFAULT_MAX_TOKENS);
                assertTrue(cut == Cut.SENTENCE || previousSize > Segmenter.DEFAULT_MAX_TOKENS - 4,
                        "exact: the segment before " + segments + " is full up to a character: " + previousSize);
                previousSize = segment.size();
                String covered = text.slice(segment.chars().start(), segment.chars().end());
                assertArrayEquals(TestData.utf8Ids(covered), segment.tokens(), "segment " + segments + " holds its text's bytes");
                maxReadAhead = Math.max(maxReadAhead, text.charsRead() - segment.chars().end());
                tokens += segment.size();
                chars += segment.chars().length();
                segments++;
            }
        }
        assertEquals(LENGTH, chars, "the characters add up to the document");
        assertEquals(expectedTokens, tokens, "the tokens add up to the document's UTF-8 bytes");
        assertTrue(segments >= expectedTokens / Segmenter.DEFAULT_MAX_TOKENS, "segments: " + segments);
        // One window of text read ahead, plus the longest sentence, whatever the document's length.
        assertTrue(maxReadAhead <= 2L * SentenceSplitter.DEFAULT_WINDOW,
                "read ahead of the segment handed out: " + maxReadAhead + " characters");
    }
}
