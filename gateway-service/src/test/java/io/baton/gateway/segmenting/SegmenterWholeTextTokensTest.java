package io.baton.gateway.segmenting;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.common.testing.DataFiles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * With the trained default model's tokenizer (byte-level BPE, GPT-2 pre-tokenizer), the
 * segments' tokens, in order, are exactly the tokens of the whole text tokenised at once: the
 * whitespace between two sentences starts the second, and a pre-token never spans a
 * non-whitespace character and the whitespace after it.
 */
class SegmenterWholeTextTokensTest {

    private static TextTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = TextTokenizer.load(TestData.trainedDefault());
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    /** Segments the text and checks its tokens against the whole-text tokens; returns the segments. */
    private static List<Segment> checkWholeText(String text, int maxTokens, SentenceSplitter splitter, String what) {
        List<Segment> segments = new ArrayList<>();
        new Segmenter(tokenizer, splitter, maxTokens).segments(text).forEachRemaining(segments::add);
        TokenizedText encoded = tokenizer.encode(text);
        long[] whole = encoded.ids();
        long[] segmented = segments.stream().flatMapToLong(s -> Arrays.stream(s.tokens())).toArray();
        int first = 0;
        while (first < Math.min(whole.length, segmented.length) && whole[first] == segmented[first]) {
            first++;
        }
        assertArrayEquals(whole, segmented, what + ", max " + maxTokens + ": first difference at token " + first
                + " near " + around(text, encoded, first));
        long chars = 0;
        long tokens = 0;
        for (Segment segment : segments) {
            assertEquals(chars, segment.chars().start(), what);
            assertEquals(tokens, segment.tokenOffset(), what);
            assertTrue(segment.size() >= 1 && segment.size() <= maxTokens, what);
            chars = segment.chars().end();
            tokens += segment.size();
        }
        assertEquals(text.length(), chars, what + ": the segments cover the text");
        return segments;
    }

    /** The text around token {@code at} of the whole-text tokens, escaped, for a failure message. */
    private static String around(String text, TokenizedText encoded, int at) {
        int chars = at < encoded.size() ? encoded.charStarts()[at] : text.length();
        String near = text.substring(Math.max(0, chars - 30), Math.min(text.length(), chars + 30));
        StringBuilder escaped = new StringBuilder("character ").append(chars).append(": \"");
        near.chars().forEach(c -> escaped.append(c < 0x20 || c > 0x7E ? String.format("\\u%04X", c) : String.valueOf((char) c)));
        return escaped.append('"').toString();
    }

    @ParameterizedTest
    @ValueSource(ints = {Segmenter.DEFAULT_MAX_TOKENS, 64, 7})
    void mobyDickGivesTheWholeTextTokens(int maxTokens) {
        String book = DataFiles.mobyDick();
        // the opening (title page, contents, Etymology with its blank lines) and a chapter of prose
        checkWholeText(book.substring(0, 30_000), maxTokens, new SentenceSplitter(), "Moby Dick opening");
        int chapter = book.indexOf("CHAPTER 42. The Whiteness of The Whale.");
        assertTrue(chapter > 0);
        checkWholeText(book.substring(chapter, chapter + 20_000), maxTokens, new SentenceSplitter(), "Moby Dick ch. 42");
    }

    @ParameterizedTest
    @ValueSource(ints = {Segmenter.DEFAULT_MAX_TOKENS, 64, 7})
    void squalityStoriesGiveTheWholeTextTokens(int maxTokens) {
        // hard-wrapped lines, " \n \n " gaps and blank lines, as the stories are stored
        List<String> stories = TestData.squalityStories(5);
        for (int i = 0; i < stories.size(); i++) {
            List<Segment> segments = checkWholeText(stories.get(i), maxTokens, new SentenceSplitter(), "story " + i);
            assertTrue(segments.stream().mapToLong(s -> s.sentences().size()).sum() > 100, "many sentence boundaries");
        }
    }

    @Test
    void everyKindOfGapBetweenSentencesGivesTheWholeTextTokens() {
        String text = "  Leading space. Two  spaces.\tTab. Line\nbreak inside. End of line.\nNext line.\n\nA paragraph."
                + "\r\n\r\nCRLF paragraph. \"Quoted.\" (In brackets.) Mr. Smith came at 3 p.m. on Monday. 1851 was a year."
                + " Why? Because! ¿Qué? Whale\u00A0\u00A0no-break. — Dash. 日本語です。次の文。 🐳 whale. It's done. 'Tis.\n \n \n"
                + "CHAPTER 2\n\nThe end.  \n";
        for (int maxTokens : new int[] {Segmenter.DEFAULT_MAX_TOKENS, 5, 1}) {
            checkWholeText(text, maxTokens, new SentenceSplitter(), "every gap");
        }
    }

    @Test
    void aSmallWindowStillGivesTheWholeTextTokensAtEverySentenceBoundary() {
        // a streaming window far smaller than the text: sentences are found across window edges
        String story = TestData.squalityStories(1).get(0);
        checkWholeText(story, Segmenter.DEFAULT_MAX_TOKENS, new SentenceSplitter(4_096, 512), "story 0, 4K window");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6})
    void randomProseGivesTheWholeTextTokens(int seed) {
        Random random = new Random(seed);
        for (int i = 0; i < 5; i++) {
            // RandomTexts also writes text without spaces, which is cut at a window's end: a
            // boundary between two non-whitespace characters, so a large window keeps it whole
            String text = RandomTexts.text(random, 1 + random.nextInt(40));
            checkWholeText(text, 16 + random.nextInt(300), new SentenceSplitter(), "seed " + seed + " text " + i);
        }
    }
}
