package io.baton.e2e;

import io.baton.common.testing.TestServers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Texts from the shared corpora next to the repository ({@code ../shared/data} from the
 * repository root; the system property {@code baton.shared.data} names it for Maven runs). When
 * they are missing the calling test is skipped with one loud line, except under {@code CI=true},
 * where it fails.
 */
final class SharedData {

    private SharedData() {
    }

    /** The file at {@code relative} under the shared data folder, as UTF-8 text. */
    static String read(String relative) {
        Path root = Path.of(System.getProperty("baton.shared.data", "../../shared/data"));
        Path file = root.resolve(relative);
        if (!Files.isRegularFile(file)) {
            TestServers.unavailable("END-TO-END", "the shared corpus is not at "
                    + file.toAbsolutePath().normalize() + " (../shared/data from the repository root)");
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A passage of Moby Dick starting at character {@code from} whose UTF-8 encoding is exactly
     * {@code bytes} long if a character boundary falls there, or one to three bytes shorter
     * otherwise. With the zoo's byte-level tokenizers that is its number of tokens.
     */
    static String mobyDick(int from, int bytes) {
        String book = read("corpus/moby-dick/moby-dick.txt");
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
