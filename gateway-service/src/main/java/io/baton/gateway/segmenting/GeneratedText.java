package io.baton.gateway.segmenting;

import java.util.ArrayList;
import java.util.List;

/**
 * Generated tokens decoded as they come: each token's text is what the decoded output grew by,
 * holding back trailing replacement characters (a multi-byte character whose bytes are not all
 * there yet), and {@link #text()} is the tokens decoded whole ({@link TextTokenizer#decode}).
 *
 * <p>For a byte-level tokenizer ({@code ByteLevel} decoder, no added tokens: every model of the
 * zoo) decoding is "each token's bytes, one after another, read as UTF-8 with each ill-formed
 * part replaced by U+FFFD" (the Hugging Face library's rule, Rust's {@code from_utf8_lossy}), so
 * it is done here one byte at a time: only the bytes of an incomplete character wait for the next
 * token, and the work is linear in the output. For any other tokenizer the output is decoded
 * whole at each token (quadratic), since its decoder may change what came before.
 *
 * <p>One per generation; not for several threads at once.
 */
public final class GeneratedText {

    private final TextTokenizer tokenizer;
    /** Each token id's bytes, or null: decode whole at each token. */
    private final byte[][] tokenBytes;
    private final List<Long> tokens = new ArrayList<>();

    /** Decoded so far (byte-level): final, since no later byte changes it. */
    private final StringBuilder decoded = new StringBuilder();
    /** The bytes of an incomplete character (byte-level), its lead first. */
    private final byte[] pending = new byte[4];
    private int pendingLength;
    private int pendingWidth;
    /** How many characters of the output have been handed out. */
    private int shown;
    private long bytesRead;
    /** The whole output as last decoded, for the non-byte-level path. */
    private String shownText = "";

    GeneratedText(TextTokenizer tokenizer, byte[][] tokenBytes) {
        this.tokenizer = tokenizer;
        this.tokenBytes = tokenBytes;
    }

    /** Adds the next token; returns the text the output grew by (empty while a character is incomplete). */
    public String add(long token) {
        tokens.add(token);
        if (tokenBytes == null) {
            return addDecodingWhole();
        }
        if (token >= 0 && token < tokenBytes.length && tokenBytes[(int) token] != null) {
            for (byte b : tokenBytes[(int) token]) {
                read(b & 0xFF);
            }
        }
        int stable = decoded.length();
        while (stable > shown && decoded.charAt(stable - 1) == '\uFFFD') {
            stable--;
        }
        if (stable <= shown) {
            return "";
        }
        String grown = decoded.substring(shown, stable);
        shown = stable;
        return grown;
    }

    /** The tokens decoded whole, as {@link TextTokenizer#decode} gives them. */
    public String text() {
        if (tokenBytes == null) {
            return tokenizer.decode(ids());
        }
        return pendingLength > 0 ? decoded + "\uFFFD" : decoded.toString();
    }

    /** The tokens added, in order. */
    public List<Long> tokens() {
        return List.copyOf(tokens);
    }

    /** How many bytes were decoded in all (byte-level): the output's bytes, each once. */
    long bytesRead() {
        return bytesRead;
    }

    /** The output decoded whole; what grew beyond the trailing replacement characters is new. */
    private String addDecodingWhole() {
        String stable = tokenizer.decode(ids());
        int end = stable.length();
        while (end > 0 && stable.charAt(end - 1) == '\uFFFD') {
            end--;
        }
        stable = stable.substring(0, end);
        if (!stable.startsWith(shownText)) {
            return "";
        }
        String grown = stable.substring(shownText.length());
        shownText = stable;
        return grown;
    }

    private long[] ids() {
        return tokens.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * One byte of UTF-8, decoded as Rust's {@code from_utf8_lossy} decodes a whole string: a
     * maximal ill-formed part (a lead byte and the continuation bytes that were valid after it)
     * becomes one U+FFFD, and the byte that ended it is read afresh.
     */
    private void read(int b) {
        bytesRead++;
        if (pendingLength > 0) {
            if (continues(b)) {
                pending[pendingLength++] = (byte) b;
                if (pendingLength == pendingWidth) {
                    decoded.appendCodePoint(codePoint());
                    pendingLength = 0;
                }
                return;
            }
            decoded.append('\uFFFD');
            pendingLength = 0;
        }
        if (b < 0x80) {
            decoded.append((char) b);
            return;
        }
        int width = b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
        if (width == 0) {
            decoded.append('\uFFFD');
            return;
        }
        pending[0] = (byte) b;
        pendingLength = 1;
        pendingWidth = width;
    }

    /** Whether {@code b} is a valid next byte of the pending character (UTF-8's table of well-formed sequences). */
    private boolean continues(int b) {
        if (pendingLength > 1) {
            return b >= 0x80 && b <= 0xBF;
        }
        int lead = pending[0] & 0xFF;
        return switch (lead) {
            case 0xE0 -> b >= 0xA0 && b <= 0xBF;
            case 0xED -> b >= 0x80 && b <= 0x9F;
            case 0xF0 -> b >= 0x90 && b <= 0xBF;
            case 0xF4 -> b >= 0x80 && b <= 0x8F;
            default -> b >= 0x80 && b <= 0xBF;
        };
    }

    private int codePoint() {
        int lead = pending[0] & 0xFF;
        int cp = pendingWidth == 2 ? lead & 0x1F : pendingWidth == 3 ? lead & 0x0F : lead & 0x07;
        for (int i = 1; i < pendingWidth; i++) {
            cp = (cp << 6) | (pending[i] & 0x3F);
        }
        return cp;
    }
}
