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
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
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

    /** The segments of the sentence cut, checked. */
    private List<Segment> segments(String text, int maxTokens) {
        return segments(text, maxTokens, Cut.SENTENCE);
    }

    private List<Segment> segments(String text, int maxTokens, Cut cut) {
        return SegmentChecks.check(text, new Segmenter(tokenizer, splitter, maxTokens, cut).segments(text), maxTokens,
                cut, tokenizer, splitter);
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
    void theExactCutFillsEverySegmentButTheLastSplittingSentencesThatDoNotFit() {
        // "Aaaa." (5), " Aaaa." (6) ...: 5 + 6 + 6 + 3 of the fourth sentence, its other 3 starting the next
        List<Segment> segments = segments("Aaaa. ".repeat(10), 20, Cut.EXACT);
        assertEquals(List.of(20, 20, 20), sizes(segments));
        assertEquals(List.of(
                new SegmentSentence(0, 0, 5, new TextSpan(0, 5)),
                new SegmentSentence(1, 5, 11, new TextSpan(5, 11)),
                new SegmentSentence(2, 11, 17, new TextSpan(11, 17)),
                new SegmentSentence(3, 17, 20, new TextSpan(17, 20))), segments.get(0).sentences());
        assertEquals(new SegmentSentence(3, 0, 3, new TextSpan(20, 23)), segments.get(1).sentences().get(0),
                "the rest of the split sentence starts the next segment, under the same number");
        // the last segment holds what is left
        assertEquals(List.of(20, 20, 20, 7), sizes(segments("Aaaa. ".repeat(10) + "Bbbbbbb", 20, Cut.EXACT)));
    }

    @Test
    void theExactCutSplitsALongSentenceFromWhereTheSegmentIsUpTo() {
        String text = "Short. " + "X".repeat(50) + ". Tail.";
        // "Short." (6) and 10 of " X...X." (52), then 16, 16 and the last 10 followed by " Tail." (6)
        List<Segment> segments = segments(text, 16, Cut.EXACT);
        assertEquals(List.of(16, 16, 16, 16), sizes(segments));
        assertEquals(List.of(
                new SegmentSentence(0, 0, 6, new TextSpan(0, 6)),
                new SegmentSentence(1, 6, 16, new TextSpan(6, 16))), segments.get(0).sentences());
        assertEquals(List.of(
                new SegmentSentence(1, 0, 10, new TextSpan(48, 58)),
                new SegmentSentence(2, 10, 16, new TextSpan(58, 64))), segments.get(3).sentences());
    }

    @Test
    void anExactSegmentEndsShortRatherThanSplitACharacter() {
        // "Abcd." (5) leaves 2 of 7: " " fits, "é" (2 bytes) does not, so the first segment has 6
        List<Segment> segments = segments("Abcd. éééé.", 7, Cut.EXACT);
        assertEquals(List.of(6, 6, 3), sizes(segments));
        assertEquals(new TextSpan(0, 6), segments.get(0).chars());
        assertEquals("ééé", tokenizer.decode(segments.get(1).tokens()), "whole characters only");
        // with 4-byte characters a segment may end up to 3 tokens short
        assertEquals(List.of(7, 8, 8, 1), sizes(segments("A. 🐳🐳🐳🐳🐳.", 8, Cut.EXACT)));
    }

    @Test
    void aCharacterWithMoreTokensThanASegmentIsStillNeverLost() {
        List<Segment> segments = new ArrayList<>();
        new Segmenter(tokenizer, splitter, 3, Cut.SENTENCE).segments("🐳🐳.").forEachRemaining(segments::add);
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

    @ParameterizedTest
    @EnumSource(Cut.class)
    void mobyDickAtTheDefaultLengthKeepsEveryPromise(Cut cut) {
        String text = DataFiles.mobyDick();
        List<Segment> segments = segments(text, Segmenter.DEFAULT_MAX_TOKENS, cut);
        long tokens = segments.stream().mapToLong(Segment::size).sum();
        assertEquals(TestData.utf8Ids(text).length, tokens);
        long full = segments.stream().filter(s -> s.size() == Segmenter.DEFAULT_MAX_TOKENS).count();
        if (cut == Cut.EXACT) {
            assertTrue(full >= segments.size() - 1 - segments.size() / 100,
                    "exact: all but the last and a few that end before a multi-byte character are full: "
                            + full + " of " + segments.size());
        } else {
            assertTrue(full < segments.size() / 3, "sentence: only segments a long sentence split are full: " + full + " of " + segments.size());
        }
    }

    static List<Arguments> seeds() {
        return java.util.stream.IntStream.range(0, 40).boxed()
                .flatMap(seed -> java.util.Arrays.stream(Cut.values()).map(cut -> Arguments.of(seed, cut))).toList();
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void randomTextsAtRandomLengthsKeepEveryPromise(int seed, Cut cut) {
        Random random = new Random(seed);
        for (int i = 0; i < 5; i++) {
            String text = RandomTexts.text(random, 1 + random.nextInt(40));
            int maxTokens = random.nextInt(4) == 0 ? 4 + random.nextInt(12) : 16 + random.nextInt(300);
            segments(text, maxTokens, cut);
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
        assertThrows(IllegalArgumentException.class, () -> new Segmenter(tokenizer, 16, null));
        assertEquals(256, new Segmenter(tokenizer, Segmenter.DEFAULT_MAX_TOKENS).maxTokens());
        assertEquals(Cut.EXACT, new Segmenter(tokenizer, 16).cut(), "the default cut");
        assertEquals(Cut.SENTENCE, Cut.named(" Sentence "));
        assertEquals("exact", Cut.EXACT.toString());
        assertThrows(IllegalArgumentException.class, () -> Cut.named("words"));
        assertThrows(IllegalArgumentException.class, () -> Cut.named(null));
    }
}
