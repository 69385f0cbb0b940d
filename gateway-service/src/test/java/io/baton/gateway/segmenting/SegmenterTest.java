package io.baton.gateway.segmenting;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.common.testing.DataFiles;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SegmenterTest {

    private static TextTokenizer tokenizer;
    private final SentenceSplitter splitter = new SentenceSplitter();

    @BeforeAll
    static void load() {
        tokenizer = TextTokenizer.load(TestData.gemma2());
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private List<Segment> segments(String text, int maxTokens) {
        return SegmentChecks.check(text, new Segmenter(tokenizer, splitter, maxTokens).segments(text), maxTokens,
                tokenizer, splitter);
    }

    private static List<Integer> sizes(List<Segment> segments) {
        return segments.stream().map(Segment::size).toList();
    }

    @Test
    void anEmptyTextHasNoSegments() {
        Iterator<Segment> none = new Segmenter(tokenizer, 16).segments("");
        assertFalse(none.hasNext());
        assertThrows(NoSuchElementException.class, none::next);
    }

    @Test
    void aShortTextIsOneSegmentWithItsSentences() {
        List<Segment> segments = segments("Call me Ishmael. Some years ago.", 256);
        assertEquals(1, segments.size());
        Segment only = segments.get(0);
        assertEquals(0, only.index());
        assertEquals(0, only.tokenOffset());
        assertEquals(new TextSpan(0, 32), only.chars());
        assertEquals(List.of(
                new SegmentSentence(0, 0, 16, new TextSpan(0, 16)),
                new SegmentSentence(1, 16, 32, new TextSpan(16, 32))), only.sentences());
        assertArrayEquals(new int[] {0, 16}, only.sentenceTokenSpans().get(0));
        assertArrayEquals(new int[] {16, 32}, only.sentenceTokenSpans().get(1));
        assertEquals(1, segments("   ", 8).size(), "whitespace is text too");
    }

    @Test
    void sentencesAreKeptWholeWhileTheyFit() {
        // "Aaaa." (5 tokens), eight " Aaaa." (6) and " Aaaa. " (7); three fit in 20
        List<Segment> segments = segments("Aaaa. ".repeat(10), 20);
        assertEquals(List.of(17, 18, 18, 7), sizes(segments));
        assertEquals(List.of(3, 3, 3, 1), segments.stream().map(s -> s.sentences().size()).toList());
    }

    @Test
    void aSentenceLongerThanASegmentStartsOneAndIsSplitAtTokenBoundaries() {
        String text = "Short. " + "X".repeat(50) + ". Tail.";
        List<Segment> segments = segments(text, 16);
        // "Short." (6) alone, then " X...X." (52) as 16 + 16 + 16 + 4, the last part followed by " Tail." (6)
        assertEquals(List.of(6, 16, 16, 16, 10), sizes(segments));
        assertEquals(List.of(
                new SegmentSentence(1, 0, 4, new TextSpan(54, 58)),
                new SegmentSentence(2, 4, 10, new TextSpan(58, 64))), segments.get(4).sentences());
        for (int k = 1; k <= 3; k++) {
            assertEquals(1, segments.get(k).sentences().get(0).sentence(), "the parts share the sentence's number");
        }
    }

    @Test
    void aSplitFallsBetweenCharactersNotInsideOne() {
        // é is 2 bytes: 5 tokens would cut one, so segments of 4
        List<Segment> twoBytes = segments("é".repeat(20), 5);
        assertEquals(List.of(4, 4, 4, 4, 4, 4, 4, 4, 4, 4), sizes(twoBytes));
        // 🐳 is 4 bytes and 2 UTF-16 units
        List<Segment> fourBytes = segments("🐳".repeat(10), 6);
        assertEquals(10, fourBytes.size());
        assertEquals(new TextSpan(2, 4), fourBytes.get(1).chars());
        assertEquals("🐳", tokenizer.decode(fourBytes.get(1).tokens()));
    }

    @Test
    void aCharacterWithMoreTokensThanASegmentIsStillNeverLost() {
        List<Segment> segments = new ArrayList<>();
        new Segmenter(tokenizer, splitter, 3).segments("🐳🐳.").forEachRemaining(segments::add);
        long[] all = segments.stream().flatMapToLong(s -> java.util.Arrays.stream(s.tokens())).toArray();
        assertArrayEquals(TestData.utf8Ids("🐳🐳."), all, "every byte, once, in order");
        assertTrue(segments.stream().allMatch(s -> s.size() >= 1 && s.size() <= 3));
        long end = 0;
        for (Segment segment : segments) {
            assertEquals(end, segment.chars().start(), "character spans still follow one another");
            end = segment.chars().end();
        }
        assertEquals(5, end);
    }

    @Test
    void aReaderAndAStringGiveTheSameSegments() {
        String text = DataFiles.mobyDick().substring(0, 200_000);
        Segmenter segmenter = new Segmenter(tokenizer, 256);
        List<Segment> fromString = new ArrayList<>();
        segmenter.segments(text).forEachRemaining(fromString::add);
        List<Segment> fromReader = new ArrayList<>();
        segmenter.segments(new StringReader(text)).forEachRemaining(fromReader::add);
        assertEquals(fromString, fromReader);
        assertTrue(fromString.size() > 200_000 / 256, "about one segment per 256 bytes: " + fromString.size());
    }

    @Test
    void mobyDickAtTheDefaultLengthKeepsEveryPromise() {
        String text = DataFiles.mobyDick();
        List<Segment> segments = segments(text, Segmenter.DEFAULT_MAX_TOKENS);
        long tokens = segments.stream().mapToLong(Segment::size).sum();
        assertEquals(TestData.utf8Ids(text).length, tokens);
    }

    static List<Integer> seeds() {
        return java.util.stream.IntStream.range(0, 40).boxed().toList();
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void randomTextsAtRandomLengthsKeepEveryPromise(int seed) {
        Random random = new Random(seed);
        for (int i = 0; i < 5; i++) {
            String text = RandomTexts.text(random, 1 + random.nextInt(40));
            int maxTokens = random.nextInt(4) == 0 ? 4 + random.nextInt(12) : 16 + random.nextInt(300);
            segments(text, maxTokens);
        }
    }

    @Test
    void anUnpairedSurrogateIsRefusedWithItsPlaceInTheDocument() {
        Iterator<Segment> segments = new Segmenter(tokenizer, 64).segments("Fine. Bad \uD800 here.");
        MalformedTextException e = assertThrows(MalformedTextException.class, segments::hasNext);
        assertTrue(e.getMessage().contains("at character 10"), e.getMessage());
    }

    @Test
    void settingsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new Segmenter(tokenizer, 0));
        assertThrows(IllegalArgumentException.class, () -> new Segmenter(null, 16));
        assertThrows(IllegalArgumentException.class, () -> new Segmenter(tokenizer, null, 16));
        assertEquals(256, new Segmenter(tokenizer, Segmenter.DEFAULT_MAX_TOKENS).maxTokens());
    }
}
