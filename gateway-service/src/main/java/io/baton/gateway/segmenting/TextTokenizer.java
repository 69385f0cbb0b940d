package io.baton.gateway.segmenting;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import io.baton.protocol.problems.BatonException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A model's tokenizer: its {@code tokenizer.json} (Hugging Face tokenizers format) run by the
 * Hugging Face tokenizers library through DJL, offline, with nothing cut and nothing added.
 *
 * <ul>
 *   <li><b>No truncation, no padding.</b> DJL truncates to 512 tokens by default (and a
 *       {@code tokenizer.json} may ask for truncation or padding itself); both are switched off
 *       here, so every character of a text of any length becomes tokens.</li>
 *   <li><b>No special tokens.</b> Nothing is added that the text does not contain, so the
 *       tokens of consecutive pieces of a document concatenate to the tokens of the document as
 *       the {@link Segmenter} defines them.</li>
 *   <li><b>Offline.</b> DJL is put in offline mode first ({@link DjlOffline}): the native
 *       library is taken from the jar and nothing is downloaded or reported.</li>
 *   <li><b>Offsets</b> are UTF-16 indices of the encoded {@code String} (see
 *       {@link TokenizedText}); the library itself reports Unicode code point indices, which
 *       differ after a character outside the Basic Multilingual Plane.</li>
 * </ul>
 *
 * <p>Encoding and decoding may be called from several threads at once. Holds a native resource:
 * close it when done.
 */
public final class TextTokenizer implements AutoCloseable {

    /** The file a model folder keeps its tokenizer in. */
    public static final String FILE_NAME = "tokenizer.json";

    private static final Map<String, String> OPTIONS = Map.of(
            "addSpecialTokens", "false",
            "withOverflowingTokens", "false",
            "truncation", "false",
            "padding", "false");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HuggingFaceTokenizer tokenizer;
    private final Path source;
    /** Each token id's bytes when the tokenizer is byte-level ({@link #byteLevelTable}), else null. */
    private final byte[][] tokenBytes;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, Path source, byte[][] tokenBytes) {
        this.tokenizer = tokenizer;
        this.source = source;
        this.tokenBytes = tokenBytes;
    }

    /**
     * Loads the tokenizer of a model folder ({@code <folder>/tokenizer.json}) or from a
     * {@code tokenizer.json} file named directly.
     *
     * @throws TokenizerLoadException when the file is missing, unreadable, or not a tokenizer
     */
    public static TextTokenizer load(Path folderOrFile) {
        Path file = Files.isDirectory(folderOrFile) ? folderOrFile.resolve(FILE_NAME) : folderOrFile;
        if (!Files.isRegularFile(file)) {
            throw new TokenizerLoadException("no tokenizer file at " + file);
        }
        DjlOffline.ensure();
        HuggingFaceTokenizer tokenizer;
        try (InputStream in = Files.newInputStream(file)) {
            tokenizer = HuggingFaceTokenizer.newInstance(in, OPTIONS);
        } catch (IOException e) {
            throw new TokenizerLoadException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (BatonException e) {
            throw e;
        } catch (RuntimeException e) {
            // The native library reports a malformed tokenizer.json as a plain RuntimeException.
            throw new TokenizerLoadException("not a Hugging Face tokenizer: " + file + ": " + e.getMessage(), e);
        }
        if (!"DO_NOT_TRUNCATE".equals(tokenizer.getTruncation()) || !"DO_NOT_PAD".equals(tokenizer.getPadding())) {
            String settings = tokenizer.getTruncation() + ", " + tokenizer.getPadding();
            tokenizer.close();
            throw new TokenizerLoadException("the tokenizer from " + file
                    + " would still truncate or pad (" + settings + ")");
        }
        try {
            return new TextTokenizer(tokenizer, file, byteLevelTable(JSON.readTree(file.toFile())));
        } catch (JacksonException e) {
            tokenizer.close();
            throw new TokenizerLoadException("not a Hugging Face tokenizer: " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Each token id's bytes, for a tokenizer whose decoding is byte-level: a {@code ByteLevel}
     * decoder and no added tokens (every model of the zoo). Null for any other, which
     * {@link GeneratedText} then decodes whole. The bytes are what the library's
     * {@code ByteLevel} decoder takes from a token: each character's byte under GPT-2's
     * byte-to-character map, or the token's UTF-8 bytes when a character is not in the map.
     */
    private static byte[][] byteLevelTable(JsonNode json) {
        JsonNode decoder = json.path("decoder");
        JsonNode vocab = json.path("model").path("vocab");
        if (!"ByteLevel".equals(decoder.path("type").asString(null)) || !vocab.isObject()
                || json.path("added_tokens").size() > 0) {
            return null;
        }
        Map<Character, Byte> bytes = gpt2CharacterBytes();
        int size = 0;
        for (Map.Entry<String, JsonNode> entry : vocab.properties()) {
            size = Math.max(size, entry.getValue().asInt() + 1);
        }
        byte[][] table = new byte[size][];
        for (Map.Entry<String, JsonNode> entry : vocab.properties()) {
            String token = entry.getKey();
            byte[] mapped = new byte[token.length()];
            boolean all = true;
            for (int i = 0; i < token.length() && all; i++) {
                Byte b = bytes.get(token.charAt(i));
                all = b != null;
                mapped[i] = all ? b : 0;
            }
            table[entry.getValue().asInt()] = all ? mapped : token.getBytes(StandardCharsets.UTF_8);
        }
        return table;
    }

    /** GPT-2's map of characters to bytes (the inverse of its {@code bytes_to_unicode}). */
    private static Map<Character, Byte> gpt2CharacterBytes() {
        Map<Character, Byte> map = new HashMap<>();
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE && b <= 0xFF;
            map.put((char) (printable ? b : next++), (byte) b);
        }
        return map;
    }

    /**
     * A decoder for tokens as a generation produces them: each token's new text as it comes, and
     * the whole text at the end, linear in the output for a byte-level tokenizer.
     */
    public GeneratedText generatedText() {
        return new GeneratedText(this, tokenBytes);
    }

    /** The {@code tokenizer.json} this tokenizer was loaded from. */
    public Path source() {
        return source;
    }

    /**
     * Tokenises a text whole, with the characters each token came from.
     *
     * @throws MalformedTextException when the text holds an unpaired surrogate
     */
    public TokenizedText encode(String text) {
        requireWellFormed(text, 0);
        if (text.isEmpty()) {
            return TokenizedText.EMPTY;
        }
        Encoding encoding = tokenizer.encode(text, false, false);
        if (encoding.exceedMaxLength()) {
            throw new IllegalStateException("the tokenizer truncated a text although truncation is off");
        }
        long[] ids = encoding.getIds();
        CharSpan[] spans = encoding.getCharTokenSpans();
        int[] utf16 = codePointToUtf16(text);
        int[] starts = new int[ids.length];
        int[] ends = new int[ids.length];
        int previousEnd = 0;
        for (int i = 0; i < ids.length; i++) {
            CharSpan span = spans[i];
            if (span == null) {
                starts[i] = previousEnd;
                ends[i] = previousEnd;
            } else {
                starts[i] = utf16 == null ? span.getStart() : utf16[span.getStart()];
                ends[i] = utf16 == null ? span.getEnd() : utf16[span.getEnd()];
                previousEnd = ends[i];
            }
        }
        return new TokenizedText(ids, starts, ends);
    }

    /**
     * Turns token ids back into text, special tokens included. For the byte-level tokenizers of
     * the model zoo, decoding the tokens of a text gives back the text exactly; ids outside the
     * vocabulary are dropped by the library.
     */
    public String decode(long[] ids) {
        return ids.length == 0 ? "" : tokenizer.decode(ids, false);
    }

    /** Releases the native tokenizer; later calls fail. Idempotent. */
    @Override
    public void close() {
        tokenizer.close();
    }

    /**
     * Maps code point indices to UTF-16 indices, or {@code null} when they are the same (no
     * character outside the Basic Multilingual Plane).
     */
    private static int[] codePointToUtf16(String text) {
        int codePoints = text.codePointCount(0, text.length());
        if (codePoints == text.length()) {
            return null;
        }
        int[] map = new int[codePoints + 1];
        int utf16 = 0;
        for (int cp = 0; cp < codePoints; cp++) {
            map[cp] = utf16;
            utf16 += Character.charCount(text.codePointAt(utf16));
        }
        map[codePoints] = utf16;
        return map;
    }

    /**
     * Unicode text only: a lone surrogate has no UTF-8 form and would be replaced silently.
     *
     * @param offset where the text starts in its document, for the message
     */
    static void requireWellFormed(CharSequence text, long offset) {
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new MalformedTextException(String.format(
                        "unpaired UTF-16 surrogate U+%04X at character %d: not Unicode text", (int) c, offset + i));
            }
        }
    }
}
