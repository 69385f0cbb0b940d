package io.baton.gateway.segmenting;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.common.testing.DataFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The zoo's tokenizer.json through the real Hugging Face tokenizers library. */
class TextTokenizerTest {

    /** ASCII, Latin-1, typographic punctuation, CJK, Arabic, combining marks, emoji, controls. */
    static final String MIXED = "Call me Ishmael. Naïve café, Straße — “quoted” ‘s n't 's .\t\r\n"
            + "日本語のテキスト。 مرحبا بالعالم e\u0301 🐳🐋 ZWJ 👩\u200D💻 \u0000\u0007\u007F\u00A0\u00FF end .";

    private static TextTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = TextTokenizer.load(TestData.gemma2());
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    static List<Path> zooModels() {
        return TestData.zooModels();
    }

    static List<Path> byteLevelZooModels() {
        return TestData.byteLevelZooModels();
    }

    @ParameterizedTest
    @MethodSource("zooModels")
    void everyZooTokenizerDecodesBackToTheTextWithSpansInOrder(Path model) {
        try (TextTokenizer zoo = TextTokenizer.load(model)) {
            TokenizedText encoded = zoo.encode(MIXED);
            assertEquals(MIXED, zoo.decode(encoded.ids()), "decoding gives back the text");
            int end = 0;
            for (int i = 0; i < encoded.size(); i++) {
                assertTrue(encoded.charStarts()[i] <= end && encoded.charEnds()[i] >= encoded.charStarts()[i],
                        "token " + i + " of " + model.getFileName() + " leaves a gap in the text");
                end = Math.max(end, encoded.charEnds()[i]);
            }
            assertEquals(MIXED.length(), end, "the spans cover the text");
        }
    }

    @ParameterizedTest
    @MethodSource("byteLevelZooModels")
    void zooTokenizerIdsAreTheUtf8BytesOfTheText(Path model) {
        try (TextTokenizer zoo = TextTokenizer.load(model)) {
            TokenizedText encoded = zoo.encode(MIXED);
            assertArrayEquals(TestData.utf8Ids(MIXED), encoded.ids(), "ids of " + model.getFileName());
            assertEquals(MIXED, zoo.decode(encoded.ids()), "decoding gives back the text");
        }
    }

    @Test
    void everyCodePointBelow0x800RoundTripsAsItsBytes() {
        StringBuilder text = new StringBuilder();
        for (int cp = 0; cp < 0x800; cp++) {
            text.appendCodePoint(cp);
        }
        String all = text.toString();
        TokenizedText encoded = tokenizer.encode(all);
        assertArrayEquals(TestData.utf8Ids(all), encoded.ids());
        assertEquals(all, tokenizer.decode(encoded.ids()));
    }

    @Test
    void aLongTextIsNeverTruncated() {
        String text = DataFiles.mobyDick().substring(0, 100_000);
        TokenizedText encoded = tokenizer.encode(text);
        long[] expected = TestData.utf8Ids(text);
        assertTrue(expected.length > 100_000, "Moby Dick has multi-byte characters");
        assertEquals(expected.length, encoded.size(), "every byte of the text is a token");
        assertArrayEquals(expected, encoded.ids());
        assertEquals(text.length(), encoded.charEnds()[encoded.size() - 1], "the last token ends the text");
        assertEquals(text, tokenizer.decode(encoded.ids()));
    }

    @Test
    void truncationAndPaddingAskedForByTheFileAreSwitchedOff(@TempDir Path dir) throws IOException {
        String json = Files.readString(TestData.gemma2().resolve(TextTokenizer.FILE_NAME), StandardCharsets.UTF_8)
                .replace("\"truncation\": null",
                        "\"truncation\": {\"direction\": \"Right\", \"max_length\": 16, \"strategy\": \"LongestFirst\", \"stride\": 0}")
                .replace("\"padding\": null",
                        "\"padding\": {\"strategy\": {\"Fixed\": 64}, \"direction\": \"Right\", \"pad_to_multiple_of\": null,"
                                + " \"pad_id\": 0, \"pad_type_id\": 0, \"pad_token\": \"\u0100\"}");
        assertTrue(json.contains("\"max_length\": 16") && json.contains("\"Fixed\": 64"), "the fixture asks for both");
        Path file = dir.resolve(TextTokenizer.FILE_NAME);
        Files.writeString(file, json, StandardCharsets.UTF_8);
        try (TextTokenizer asking = TextTokenizer.load(file)) {
            assertEquals(40, asking.encode("x".repeat(40)).size(), "not truncated to 16");
            assertEquals(2, asking.encode("xy").size(), "not padded to 64");
        }
    }

    @Test
    void offsetsAreUtf16IndicesAndTheTokensOfOneCharacterShareItsSpan() {
        String text = "Hi é€ 🐳 x.";
        TokenizedText encoded = tokenizer.encode(text);
        // H i ' ' é(2 bytes) €(3 bytes) ' ' 🐳(4 bytes, 2 UTF-16 units) ' ' x .
        assertArrayEquals(new int[] {0, 1, 2, 3, 3, 4, 4, 4, 5, 6, 6, 6, 6, 8, 9, 10}, encoded.charStarts());
        assertArrayEquals(new int[] {1, 2, 3, 4, 4, 5, 5, 5, 6, 8, 8, 8, 8, 9, 10, 11}, encoded.charEnds());
        assertEquals("🐳", text.substring(encoded.charStarts()[9], encoded.charEnds()[9]));
    }

    @Test
    void eachTokenSpanIsOneCodePointWhoseBytesAreItsTokens() {
        TokenizedText encoded = tokenizer.encode(MIXED);
        int i = 0;
        int expectedStart = 0;
        while (i < encoded.size()) {
            int start = encoded.charStarts()[i];
            int end = encoded.charEnds()[i];
            assertEquals(expectedStart, start, "spans follow one another at token " + i);
            String character = MIXED.substring(start, end);
            assertEquals(1, character.codePointCount(0, character.length()), "one code point at token " + i);
            long[] bytes = TestData.utf8Ids(character);
            for (long b : bytes) {
                assertEquals(b, encoded.ids()[i], "byte of " + character);
                assertEquals(start, encoded.charStarts()[i]);
                assertEquals(end, encoded.charEnds()[i]);
                i++;
            }
            expectedStart = end;
        }
        assertEquals(MIXED.length(), expectedStart);
    }

    @Test
    void anUnpairedSurrogateIsRefusedNotReplaced() {
        MalformedTextException high = assertThrows(MalformedTextException.class, () -> tokenizer.encode("ab\uD83Dc"));
        assertTrue(high.getMessage().contains("U+D83D at character 2"), high.getMessage());
        assertThrows(MalformedTextException.class, () -> tokenizer.encode("\uDC33 at the start"));
        assertThrows(MalformedTextException.class, () -> tokenizer.encode("at the end \uD83D"));
        assertEquals("malformed-text", high.type().slug());
        assertEquals(4, tokenizer.encode("\uD83D\uDC33").size(), "a pair is one character of four bytes");
    }

    @Test
    void theEmptyTextHasNoTokens() {
        assertSame(TokenizedText.EMPTY, tokenizer.encode(""));
        assertEquals("", tokenizer.decode(new long[0]));
    }

    @Test
    void decodingKeepsSpacesBeforePunctuation() {
        String text = "a , b . c ? d ! e 's f n't";
        assertEquals(text, tokenizer.decode(tokenizer.encode(text).ids()));
    }

    @Test
    void loadsFromAModelFolderOrTheFileItself() {
        Path file = TestData.gemma2().resolve(TextTokenizer.FILE_NAME);
        try (TextTokenizer fromFile = TextTokenizer.load(file)) {
            assertEquals(file, fromFile.source());
            assertEquals(file, tokenizer.source());
            assertEquals(tokenizer.encode(MIXED), fromFile.encode(MIXED));
        }
    }

    @Test
    void aMissingTokenizerIsRefused(@TempDir Path dir) {
        TokenizerLoadException e = assertThrows(TokenizerLoadException.class, () -> TextTokenizer.load(dir));
        assertTrue(e.getMessage().contains(dir.resolve(TextTokenizer.FILE_NAME).toString()), e.getMessage());
        assertEquals("tokenizer-load", e.type().slug());
    }

    @Test
    void aFileThatIsNotATokenizerIsRefused(@TempDir Path dir) throws IOException {
        for (String content : List.of("{", "{}", "{\"model\": {\"type\": \"BPE\"}}")) {
            Path file = dir.resolve(TextTokenizer.FILE_NAME);
            Files.writeString(file, content);
            TokenizerLoadException e = assertThrows(TokenizerLoadException.class, () -> TextTokenizer.load(file), content);
            assertTrue(e.getMessage().startsWith("not a Hugging Face tokenizer"), e.getMessage());
        }
    }

    @Test
    void aClosedTokenizerRefusesWorkAndClosesOnce() {
        TextTokenizer closing = TextTokenizer.load(TestData.gemma2());
        closing.close();
        closing.close();
        assertThrows(IllegalStateException.class, () -> closing.encode("x"));
    }

    @Test
    void severalThreadsMayEncodeAndDecodeAtOnce() throws Exception {
        String text = DataFiles.mobyDick();
        List<String> pieces = java.util.stream.IntStream.range(0, 64)
                .mapToObj(i -> text.substring(i * 5_000, i * 5_000 + 4_000 + i)).toList();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Callable<Boolean>> work = pieces.stream()
                    .<java.util.concurrent.Callable<Boolean>>map(piece -> () -> {
                        TokenizedText encoded = tokenizer.encode(piece);
                        return Arrays.equals(TestData.utf8Ids(piece), encoded.ids())
                                && piece.equals(tokenizer.decode(encoded.ids()));
                    })
                    .toList();
            for (java.util.concurrent.Future<Boolean> done : pool.invokeAll(work)) {
                assertTrue(done.get(), "every piece encodes to its own bytes and back");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void tokenizedTextComparesByContent() {
        TokenizedText a = tokenizer.encode("same");
        TokenizedText b = tokenizer.encode("same");
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertTrue(Arrays.equals(a.ids(), b.ids()));
        assertThrows(IllegalArgumentException.class, () -> new TokenizedText(new long[1], new int[0], new int[1]));
    }
}
