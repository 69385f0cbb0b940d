package io.baton.reliability;

import io.baton.common.testing.DataFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The repository's texts ({@code data/corpus}: the State of the Union addresses and Moby Dick, about
 * 300,000 words) as one text, cut into passages of a given number of words, as written (line
 * breaks and all).
 */
public final class Corpus {

    private static final Pattern WORD = Pattern.compile("\\S+");

    private final String text;
    private final int[] starts;
    private final int[] ends;

    private Corpus(String text) {
        this.text = text;
        List<int[]> words = new ArrayList<>();
        Matcher matcher = WORD.matcher(text);
        while (matcher.find()) {
            words.add(new int[] {matcher.start(), matcher.end()});
        }
        starts = words.stream().mapToInt(w -> w[0]).toArray();
        ends = words.stream().mapToInt(w -> w[1]).toArray();
    }

    public static Corpus load() {
        Path dir = DataFiles.dir().resolve("corpus");
        try (Stream<Path> files = Files.walk(dir)) {
            StringBuilder all = new StringBuilder();
            for (Path file : files.filter(f -> f.toString().endsWith(".txt")).sorted().toList()) {
                all.append(Files.readString(file, StandardCharsets.UTF_8)).append("\n\n");
            }
            return new Corpus(all.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int words() {
        return starts.length;
    }

    /**
     * The {@code count} words starting at word {@code (k * 7919) mod (words - count)}, so
     * consecutive {@code k} get different passages.
     */
    public String passage(int count, int k) {
        if (count < 1 || count > starts.length) {
            throw new IllegalArgumentException("the corpus has " + starts.length + " words; " + count + " asked for");
        }
        int first = (int) ((long) k * 7919 % Math.max(1, starts.length - count));
        return text.substring(starts[first], ends[first + count - 1]);
    }
}
