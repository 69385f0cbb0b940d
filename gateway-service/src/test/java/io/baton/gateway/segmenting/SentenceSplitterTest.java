package io.baton.gateway.segmenting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.common.testing.DataFiles;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SentenceSplitterTest {

    private final SentenceSplitter splitter = new SentenceSplitter();

    /**
     * The sentences' texts, which must concatenate to the text, with spans to match; only the
     * last sentence, or one of whitespace alone, ends with whitespace.
     */
    static List<String> sentences(SentenceSplitter splitter, String text) {
        List<String> texts = new ArrayList<>();
        long expectedStart = 0;
        long expectedIndex = 0;
        for (Iterator<Sentence> it = splitter.sentences(text); it.hasNext(); ) {
            Sentence sentence = it.next();
            assertEquals(expectedIndex++, sentence.index());
            assertEquals(expectedStart, sentence.start(), "sentences follow one another");
            assertFalse(sentence.text().isEmpty(), "no empty sentence");
            assertTrue(sentence.text().length() <= splitter.maxSentenceLength());
            assertEquals(text.substring((int) sentence.start(), (int) sentence.end()), sentence.text());
            texts.add(sentence.text());
            expectedStart = sentence.end();
        }
        assertEquals(text.length(), expectedStart, "the sentences cover the text");
        for (int i = 0; i < texts.size() - 1; i++) {
            String sentence = texts.get(i);
            assertTrue(!SentenceReader.isSpace(sentence.charAt(sentence.length() - 1)) || sentence.isBlank(),
                    "the whitespace after sentence " + i + " starts the next one: '" + sentence + "'");
        }
        return texts;
    }

    private List<String> sentences(String text) {
        return sentences(splitter, text);
    }

    @Test
    void anEmptyTextHasNoSentences() {
        assertEquals(List.of(), sentences(""));
        assertEquals(List.of(), splitter.split(""));
        Iterator<Sentence> none = splitter.sentences("");
        assertFalse(none.hasNext());
        assertThrows(NoSuchElementException.class, none::next);
    }

    @Test
    void whitespaceStartsTheSentenceAfterIt() {
        // the text's leading whitespace stays with the first sentence, its trailing with the last
        assertEquals(List.of("Hello world.", " How are you?", "\nFine!  "), sentences("Hello world. How are you?\nFine!  "));
        assertEquals(List.of("   Leading space.", " Next"), sentences("   Leading space. Next"));
        assertEquals(List.of(" \n\t "), sentences(" \n\t "), "whitespace alone is one sentence");
        assertEquals(List.of(new TextSpan(0, 12), new TextSpan(12, 25)), splitter.split("Hello world. How are you?"));
        // no-break spaces and U+0085 are whitespace to a tokenizer; U+001C..U+001F are not
        assertEquals(List.of("One.", "\u00A0\u0085Two."), sentences("One.\u00A0\u0085Two."));
        for (char space : " \t\n\u000B\f\r\u0085\u00A0\u1680\u2000\u200A\u2028\u2029\u202F\u205F\u3000".toCharArray()) {
            assertTrue(SentenceReader.isSpace(space), "U+" + Integer.toHexString(space));
        }
        for (char other : "\u001C\u001F\u200Ba.".toCharArray()) {
            assertFalse(SentenceReader.isSpace(other), "U+" + Integer.toHexString(other));
        }
    }

    @Test
    void aCutWithoutWhitespaceBetweenCharactersOfOneKindRunsOn() {
        assertTrue(SentenceRules.runsOn("Dr.", "."), "BreakIterator can cut an ellipsis: one piece");
        assertTrue(SentenceRules.runsOn("Ahab.", "\""), "punctuation and a quote");
        assertTrue(SentenceRules.runsOn("🐳🐳", "🐳"), "a forced cut in text without spaces");
        assertTrue(SentenceRules.runsOn("word", "word"));
        assertTrue(SentenceRules.runsOn("1851", "2"));
        assertTrue(SentenceRules.runsOn("Capt. ", "Ahab"), "a title");
        assertFalse(SentenceRules.runsOn("J. Dr", ".."), "a letter and punctuation: two pre-tokens anyway");
        assertFalse(SentenceRules.runsOn("日本語です。", "次の文。"), "punctuation and a letter");
        assertFalse(SentenceRules.runsOn("End. ", "Next."), "whitespace between");
        assertFalse(SentenceRules.runsOn("End.", " Next."), "whitespace between");
    }

    @Test
    void whitespaceLongerThanAWindowStillCoversTheText() {
        SentenceSplitter small = new SentenceSplitter(1_024, 256);
        List<String> parts = sentences(small, "One. " + " ".repeat(3_000) + "Two." + "\n".repeat(1_500));
        assertEquals("One.", parts.get(0));
        List<String> two = parts.stream().filter(part -> part.contains("Two.")).toList();
        assertEquals(1, two.size());
        assertTrue(two.get(0).startsWith(" ") && two.get(0).strip().equals("Two."), "whitespace, then the sentence");
        assertEquals(List.of("x", "\n".repeat(1_000) + "y"), sentences(small, "x" + "\n".repeat(1_000) + "y"));
    }

    @Test
    void breakIteratorKnowsNoAbbreviationButLowerCaseAndDigitsKeepTheSentence() {
        assertEquals(List.of("He arrived at 3 p.m. on Monday, e.g. today.", " Then left."),
                sentences("He arrived at 3 p.m. on Monday, e.g. today. Then left."));
        assertEquals(List.of("It is 3.14 wide.", " See p. 4 for more."), sentences("It is 3.14 wide. See p. 4 for more."));
        // An abbreviation before a capitalised word ends the sentence, as BreakIterator does.
        assertEquals(List.of("The U.S.", " Army came."), sentences("The U.S. Army came."));
    }

    @Test
    void aTitleOrAnInitialRunsOnIntoTheName() {
        assertEquals(List.of("Mr. Smith went to Washington.", " Dr. No met Capt. Ahab and J. R. R. Tolkien.", " End."),
                sentences("Mr. Smith went to Washington. Dr. No met Capt. Ahab and J. R. R. Tolkien. End."));
        assertEquals(List.of("Ask (Mrs. Hussey) first.", " Then go."), sentences("Ask (Mrs. Hussey) first. Then go."));
        assertEquals(List.of("It was Smith Jr.", " He left."), sentences("It was Smith Jr. He left."), "Jr. ends sentences");
        assertEquals(List.of("Mr.", "\n\nSmith"), sentences("Mr.\n\nSmith"), "not across a blank line");
    }

    @Test
    void aBlankLineEndsASentenceAndASingleLineBreakDoesNot() {
        assertEquals(List.of("CHAPTER 1", "\n\nCall me Ishmael.", " Some years ago\nI went.", "\r\n\r\nNext para"),
                sentences("CHAPTER 1\n\nCall me Ishmael. Some years ago\nI went.\r\n\r\nNext para"));
        assertEquals(List.of("Title", "\r\n \r\nText"), sentences("Title\r\n \r\nText"));
        assertEquals(List.of("Title line\r\nsecond line"), sentences("Title line\r\nsecond line"));
        assertEquals(List.of("\n\nStarts after blank lines."), sentences("\n\nStarts after blank lines."));
    }

    @Test
    void mobyDickSplitsTheSameInWindowsAsInOnePass() {
        String text = DataFiles.mobyDick();
        List<TextSpan> onePass = new SentenceSplitter(text.length() + 4096, 1024).split(text);
        assertTrue(onePass.size() > 5_000, "Moby Dick has thousands of sentences: " + onePass.size());
        assertEquals(onePass, splitter.split(text), "default window");
        assertEquals(onePass, new SentenceSplitter(4096, 512).split(text), "4K window");
        sentences(splitter, text);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void randomTextsSplitTheSameInWindowsAsInOnePass(int seed) {
        Random random = new Random(seed);
        for (int i = 0; i < 10; i++) {
            String text = RandomTexts.text(random, 1 + random.nextInt(60));
            List<TextSpan> onePass = new SentenceSplitter(text.length() + 4096, 1024).split(text);
            // windows larger than twice the longest run-on sentence never need a forced cut
            assertEquals(onePass, new SentenceSplitter(40_000, 2_048).split(text), "seed " + seed + " text " + i);
            sentences(new SentenceSplitter(1_024, 256), text);
            sentences(splitter, text);
        }
    }

    @Test
    void textWithoutSentenceEndsIsCutAtWordStartsWithinAWindow() {
        String text = "word ".repeat(10_000);
        SentenceSplitter small = new SentenceSplitter(4_096, 512);
        List<String> parts = sentences(small, text);
        assertTrue(parts.size() >= 50_000 / 4_096, "cut into pieces of at most a window: " + parts.size());
        assertTrue(parts.get(0).startsWith("word"));
        for (String part : parts.subList(1, parts.size())) {
            assertTrue(part.startsWith(" word"), "a piece starts at the space before a word: " + part.substring(0, 8));
        }
    }

    @Test
    void textWithoutSpacesIsNeverCutInsideASurrogatePair() {
        String text = "x" + "🐳".repeat(5_000);
        for (String part : sentences(new SentenceSplitter(1_001, 100), text)) {
            assertFalse(Character.isLowSurrogate(part.charAt(0)), "a piece starts on a whole character");
            assertFalse(Character.isHighSurrogate(part.charAt(part.length() - 1)), "a piece ends on a whole character");
        }
    }

    @Test
    void readsLazilyFromAReader() {
        String text = "One. Two. Three.";
        Iterator<Sentence> it = splitter.sentences(new StringReader(text));
        assertEquals("One.", it.next().text());
        assertEquals(" Two.", it.next().text());
        assertEquals(" Three.", it.next().text());
        assertFalse(it.hasNext());
    }

    @Test
    void aReadFailureIsReported() {
        Reader failing = new Reader() {
            @Override
            public int read(char[] buffer, int offset, int length) throws IOException {
                throw new IOException("disk gone");
            }

            @Override
            public void close() {
            }
        };
        TextReadException e = assertThrows(TextReadException.class, () -> splitter.sentences(failing).hasNext());
        assertTrue(e.getMessage().contains("disk gone"));
        assertEquals("text-read", e.type().slug());
    }

    @Test
    void theWindowMustHoldItsLookaheadTwice() {
        assertThrows(IllegalArgumentException.class, () -> new SentenceSplitter(10, 5));
        assertThrows(IllegalArgumentException.class, () -> new SentenceSplitter(100, 0));
        assertEquals(SentenceSplitter.DEFAULT_WINDOW, splitter.maxSentenceLength());
    }
}
