package io.baton.e2e;

import io.baton.common.testing.DataFiles;
import java.nio.charset.StandardCharsets;

/** Passages of the repository's texts ({@link DataFiles}) sized for the zoo's byte-level tokenizers. */
final class Passages {

    private Passages() {
    }

    /**
     * A passage of Moby Dick starting at character {@code from} whose UTF-8 encoding is exactly
     * {@code bytes} long if a character boundary falls there, or one to three bytes shorter
     * otherwise. With the zoo's byte-level tokenizers that is its number of tokens.
     */
    static String mobyDick(int from, int bytes) {
        String book = DataFiles.mobyDick();
        StringBuilder passage = new StringBuilder();
        int size = 0;
        for (int i = from; i < book.length(); ) {
            int codePoint = book.codePointAt(i);
            int length = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
            if (size + length > bytes) {
                break;
            }
            passage.appendCodePoint(codePoint);
            size += length;
            i += Character.charCount(codePoint);
        }
        return passage.toString();
    }
}
