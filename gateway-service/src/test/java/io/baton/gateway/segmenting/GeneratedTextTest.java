package io.baton.gateway.segmenting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.common.testing.DataFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GeneratedText} against the decoder it replaced (the whole output decoded by the library
 * at each token, {@link WholeDecoder}): the same text per token and at the end, for real tokens
 * of the trained tokenizer and for random byte tokens (split multi-byte characters, ill-formed
 * UTF-8), and linear work.
 */
class GeneratedTextTest {

    /** The decoder as it was: decodes every token so far at each token; counts the tokens it decoded. */
    static final class WholeDecoder {

        private final TextTokenizer tokenizer;
        private final List<Long> tokens = new ArrayList<>();
        private String shown = "";
        long tokensDecoded;

        WholeDecoder(TextTokenizer tokenizer) {
            this.tokenizer = tokenizer;
        }

        String add(long token) {
            tokens.add(token);
            String stable = text();
            int end = stable.length();
            while (end > 0 && stable.charAt(end - 1) == '\uFFFD') {
                end--;
            }
            stable = stable.substring(0, end);
            if (!stable.startsWith(shown)) {
                return "";
            }
            String grown = stable.substring(shown.length());
            shown = stable;
            return grown;
        }

        String text() {
            tokensDecoded += tokens.size();
            return tokenizer.decode(tokens.stream().mapToLong(Long::longValue).toArray());
        }
    }

    /** Feeds {@code ids} to both decoders and compares each step and the end; returns the new one. */
    private static GeneratedText compare(TextTokenizer tokenizer, long[] ids) {
        WholeDecoder old = new WholeDecoder(tokenizer);
        GeneratedText text = tokenizer.generatedText();
        for (int i = 0; i < ids.length; i++) {
            assertEquals(old.add(ids[i]), text.add(ids[i]), "token " + i + " (" + ids[i] + ")");
        }
        assertEquals(old.text(), text.text(), "the whole text");
        assertEquals(tokenizer.decode(ids), text.text());
        return text;
    }

    @Test
    void realTokensOfTheTrainedTokenizerDecodeAsBeforeWithLinearWork() {
        String passage = DataFiles.mobyDick().substring(20_000, 32_000)
                + " Café, naïve façade — “quoted” 😀 🚢 中文 Ελληνικά ∑x² …end";
        try (TextTokenizer tokenizer = TextTokenizer.load(TestData.zoo().resolve("gemma2-small"))) {
            long[] ids = tokenizer.encode(passage).ids();
            assertTrue(ids.length > 2_500, "tokens " + ids.length);
            GeneratedText text = compare(tokenizer, ids);
            assertEquals(passage, text.text());
            long bytes = passage.getBytes(StandardCharsets.UTF_8).length;
            assertEquals(bytes, text.bytesRead(), "each byte of the output is read once");
        }
    }

    @Test
    void randomByteTokensSplitAndIllFormedCharactersDecodeAsBefore() {
        try (TextTokenizer tokenizer = TextTokenizer.load(TestData.zoo().resolve("gemma2-tiny"))) {
            Random random = new Random(13);
            long[] ids = new long[3_000];
            for (int i = 0; i < ids.length; i++) {
                // Mostly bytes of multi-byte characters, valid or not: leads, continuations, surrogate and overlong leads.
                int kind = random.nextInt(4);
                ids[i] = kind == 0 ? 0x20 + random.nextInt(0x60) : kind == 1 ? 0x80 + random.nextInt(0x40)
                        : 0xC0 + random.nextInt(0x40);
            }
            GeneratedText text = compare(tokenizer, ids);
            assertEquals(ids.length, text.bytesRead());
            // Whole characters of every width split into single-byte tokens.
            byte[] utf8 = "a é € 😀 \uFFFD z".getBytes(StandardCharsets.UTF_8);
            long[] split = new long[utf8.length];
            for (int i = 0; i < utf8.length; i++) {
                split[i] = utf8[i] & 0xFF;
            }
            assertEquals("a é € 😀 \uFFFD z", compare(tokenizer, split).text());
        }
    }

    @Test
    void theWorkIsLinearWhereTheOldDecoderWasQuadratic() {
        try (TextTokenizer tokenizer = TextTokenizer.load(TestData.zoo().resolve("gemma2-small"))) {
            String passage = DataFiles.mobyDick().substring(0, 4_000);
            long[] ids = tokenizer.encode(passage).ids();
            WholeDecoder old = new WholeDecoder(tokenizer);
            GeneratedText text = tokenizer.generatedText();
            long[] half = null;
            for (int i = 0; i < ids.length; i++) {
                old.add(ids[i]);
                text.add(ids[i]);
                if (i == ids.length / 2 - 1) {
                    half = new long[] {old.tokensDecoded, text.bytesRead()};
                }
            }
            long n = ids.length;
            assertEquals(n * (n + 1) / 2, old.tokensDecoded, "the old decoder decoded every prefix");
            // Twice the tokens: about four times the old work, twice the new.
            assertTrue(old.tokensDecoded > 3.9 * half[0], old.tokensDecoded + " vs " + half[0]);
            assertTrue(text.bytesRead() < 2.2 * half[1], text.bytesRead() + " vs " + half[1]);
            assertEquals(passage.getBytes(StandardCharsets.UTF_8).length, text.bytesRead(), "the text's bytes, each once");
        }
    }

    @Test
    void aTokenizerThatIsNotByteLevelIsDecodedWholeAsBefore(@TempDir Path dir) throws IOException {
        // gemma2-tiny's tokenizer with an added token: its decoding is not taken apart here.
        String json = Files.readString(TestData.zoo().resolve("gemma2-tiny").resolve(TextTokenizer.FILE_NAME));
        json = json.replaceFirst("\"added_tokens\"\\s*:\\s*\\[\\s*\\]", "\"added_tokens\": [{\"id\": 256, "
                + "\"content\": \"<|end|>\", \"single_word\": false, \"lstrip\": false, \"rstrip\": false, "
                + "\"normalized\": false, \"special\": true}]");
        assertTrue(json.contains("<|end|>"), "the added token went in");
        Files.writeString(dir.resolve(TextTokenizer.FILE_NAME), json);
        try (TextTokenizer tokenizer = TextTokenizer.load(dir)) {
            long[] ids = {72, 0xE2, 0x82, 0xAC, 256, 105};
            GeneratedText text = compare(tokenizer, ids);
            assertEquals(0, text.bytesRead(), "decoded whole by the library");
        }
    }
}
