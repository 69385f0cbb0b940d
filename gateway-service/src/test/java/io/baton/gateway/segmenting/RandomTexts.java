package io.baton.gateway.segmenting;

import java.util.List;
import java.util.Random;

/**
 * Seeded random texts that exercise the splitter and the segmenter: prose with abbreviations,
 * multi-byte characters (2, 3 and 4 bytes; surrogate pairs), blank lines, CR LF, run-on
 * sentences and text without spaces.
 */
final class RandomTexts {

    private static final List<String> WORDS = List.of(
            "the", "whale", "Ahab", "sea", "ship", "harpoon", "call", "me", "Ishmael", "white", "and", "of",
            "naïve", "café", "Straße", "façade", "日本語", "テキスト", "مرحبا", "🐳", "🐋🌊", "e\u0301", "—", "“quoted”",
            "3.14", "1851", "Mr.", "Mrs.", "Dr.", "St.", "e.g.", "U.S.", "p.m.", "J.", "etc.", "(aside)", "it's");
    private static final List<String> ENDS = List.of(".", ".", ".", "?", "!", "...", ".\"", "!)", "");
    private static final List<String> GAPS = List.of(" ", " ", " ", "  ", "\n", "\n\n", "\r\n", "\r\n\r\n", "\t", " \n \n ");

    private RandomTexts() {
    }

    /** A text of about {@code sentences} sentences. */
    static String text(Random random, int sentences) {
        StringBuilder text = new StringBuilder();
        if (random.nextInt(8) == 0) {
            text.append(GAPS.get(random.nextInt(GAPS.size())));
        }
        for (int s = 0; s < sentences; s++) {
            int kind = random.nextInt(40);
            if (kind == 0) {
                // a run-on sentence, hundreds of words long
                words(random, text, 100 + random.nextInt(600));
            } else if (kind == 1) {
                // no spaces at all
                text.append("🐳".repeat(1 + random.nextInt(200)));
            } else {
                words(random, text, 1 + random.nextInt(25));
            }
            text.append(ENDS.get(random.nextInt(ENDS.size())));
            text.append(GAPS.get(random.nextInt(GAPS.size())));
        }
        if (random.nextBoolean()) {
            // end without trailing whitespace
            while (!text.isEmpty() && Character.isWhitespace(text.charAt(text.length() - 1))) {
                text.setLength(text.length() - 1);
            }
        }
        return text.toString();
    }

    private static void words(Random random, StringBuilder text, int count) {
        for (int w = 0; w < count; w++) {
            String word = WORDS.get(random.nextInt(WORDS.size()));
            text.append(w == 0 && random.nextBoolean() ? capitalise(word) : word);
            if (w + 1 < count) {
                text.append(random.nextInt(10) == 0 ? ", " : " ");
            }
        }
    }

    private static String capitalise(String word) {
        return word.isEmpty() ? word : word.substring(0, 1).toUpperCase(java.util.Locale.ROOT) + word.substring(1);
    }
}
