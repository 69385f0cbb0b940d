package io.baton.bench;

import io.baton.gateway.segmenting.Cut;
import io.baton.gateway.segmenting.Segment;
import io.baton.gateway.segmenting.SegmentSentence;
import io.baton.gateway.segmenting.Segmenter;
import io.baton.gateway.segmenting.Sentence;
import io.baton.gateway.segmenting.SentenceSplitter;
import io.baton.gateway.segmenting.TextTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the maximum segment length does to a real text: how long its sentences are in tokens, and
 * per maximum how many segments it takes, how full they are, and how many sentences are split
 * across two or more segments (each part gets its own sentence vector), with each cut ({@link Cut}):
 * also how many segments hold exactly the maximum (of those that are not a text's last, which
 * holds what is left) and how many distinct lengths they have (the batcher joins only equal
 * lengths). Prints Markdown.
 *
 * <p>Usage: {@code SegmentLengths <model folder> <text file> [max ...]}; see
 * {@code bench/segment-lengths}. A {@code .jsonl} file is read as one text per line, its {@code
 * document} field (the SQuALITY files under {@code data/eval/squality}).
 */
public final class SegmentLengths {

    private SegmentLengths() {
    }

    public static void main(String[] args) throws IOException {
        Path model = Path.of(args[0]);
        Path file = Path.of(args[1]);
        int[] maxima = args.length > 2
                ? Arrays.stream(args, 2, args.length).mapToInt(Integer::parseInt).toArray()
                : new int[] {64, 128, 256, 512, 1024};
        List<String> texts = texts(file);
        try (TextTokenizer tokenizer = TextTokenizer.load(model)) {
            sentenceLengths(String.join("", texts), tokenizer, file);
            System.out.printf(Locale.ROOT, "%n%d text(s)%n%n", texts.size());
            System.out.println("| max tokens | cut | segments | mean tokens per segment | sentences split | tokens in split sentences "
                    + "| segments (but each text's last) with exactly max tokens | their distinct lengths |");
            System.out.println("|---:|---|---:|---:|---:|---:|---:|---:|");
            for (int max : maxima) {
                for (Cut cut : Cut.values()) {
                    row(texts, tokenizer, max, cut);
                }
            }
        }
    }

    private static List<String> texts(Path file) throws IOException {
        if (!file.toString().endsWith(".jsonl")) {
            return List.of(Files.readString(file, StandardCharsets.UTF_8));
        }
        JsonMapper json = JsonMapper.builder().build();
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                .map(line -> json.readTree(line).get("document").asString()).distinct().toList();
    }

    private static void sentenceLengths(String text, TextTokenizer tokenizer, Path file) {
        int[] lengths = new int[16];
        int count = 0;
        for (Iterator<Sentence> it = new SentenceSplitter().sentences(text); it.hasNext(); ) {
            if (count == lengths.length) {
                lengths = Arrays.copyOf(lengths, count * 2);
            }
            lengths[count++] = tokenizer.encode(it.next().text()).size();
        }
        int[] sorted = Arrays.copyOf(lengths, count);
        Arrays.sort(sorted);
        long total = Arrays.stream(sorted).asLongStream().sum();
        System.out.printf(Locale.ROOT, "%s: %,d characters, %,d tokens, %,d sentences%n%n", file.getFileName(),
                text.length(), total, count);
        System.out.println("| sentence length (tokens) | mean | median | p75 | p90 | p99 | max |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        System.out.printf(Locale.ROOT, "| %s | %.0f | %d | %d | %d | %d | %d |%n", tokenizer.source().getParent().getFileName(),
                (double) total / count, percentile(sorted, 50), percentile(sorted, 75), percentile(sorted, 90),
                percentile(sorted, 99), sorted[count - 1]);
    }

    private static void row(List<String> texts, TextTokenizer tokenizer, int max, Cut cut) {
        long segments = 0;
        long notLast = 0;
        long exactlyMax = 0;
        Set<Integer> lengths = new HashSet<>();
        long tokens = 0;
        long sentences = 0;
        long split = 0;
        long tokensInSplit = 0;
        long lastSentence = -1;
        long runTokens = 0;
        boolean runSplit = false;
        for (String text : texts) {
        for (Iterator<Segment> it = new Segmenter(tokenizer, max, cut).segments(text); it.hasNext(); ) {
            Segment segment = it.next();
            segments++;
            if (it.hasNext()) {
                notLast++;
                exactlyMax += segment.size() == max ? 1 : 0;
                lengths.add(segment.size());
            }
            tokens += segment.size();
            for (SegmentSentence part : segment.sentences()) {
                if (part.sentence() == lastSentence) {
                    runSplit = true;
                    runTokens += part.tokenCount();
                    continue;
                }
                if (runSplit) {
                    split++;
                    tokensInSplit += runTokens;
                }
                sentences++;
                lastSentence = part.sentence();
                runTokens = part.tokenCount();
                runSplit = false;
            }
        }
        }
        if (runSplit) {
            split++;
            tokensInSplit += runTokens;
        }
        System.out.printf(Locale.ROOT, "| %d | %s | %,d | %.0f (%.0f%%) | %.1f%% | %.1f%% | %,d of %,d (%.2f%%) | %d |%n",
                max, cut, segments, (double) tokens / segments, 100.0 * tokens / segments / max,
                100.0 * split / sentences, 100.0 * tokensInSplit / tokens, exactlyMax, notLast,
                100.0 * exactlyMax / Math.max(1, notLast), lengths.size());
    }

    private static int percentile(int[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}
