package io.baton.gateway.summarize;

import io.baton.gateway.segmenting.Cut;
import io.baton.gateway.segmenting.Segment;
import io.baton.gateway.segmenting.Segmenter;
import io.baton.gateway.segmenting.TextTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;
import tools.jackson.databind.json.JsonMapper;

/**
 * Documents for selection's tests and benchmark: the evaluation sets' texts, synthetic texts, and
 * their segments with seeded synthetic sentence vectors (one per sentence part, as inference
 * sends them: a shared direction, as mean-pooled hidden states have, plus noise).
 */
final class SelectionDocuments {

    private SelectionDocuments() {
    }

    /** {@code models/zoo} (set by Surefire). */
    static Path zoo() {
        return Path.of(System.getProperty("baton.zoo.dir", "../models/zoo"));
    }

    /** The {@code document} of every line of a JSON-lines evaluation set under {@code data/eval}. */
    static List<String> evalSet(String relative) {
        JsonMapper json = JsonMapper.builder().build();
        try {
            return Files.readAllLines(data().resolve("eval").resolve(relative)).stream()
                    .filter(line -> !line.isBlank())
                    .map(line -> json.readTree(line).get("document").asString())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path data() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("data/README.md"))) {
                return dir.resolve("data");
            }
        }
        throw new IllegalStateException("no data/ above " + Path.of("").toAbsolutePath());
    }

    /**
     * A text of {@code sentences} sentences of words drawn (Zipf-like, seeded) from a vocabulary
     * of {@code vocabulary} made-up words of 3 to 9 letters; sentences of 3 to 30 words.
     */
    static String synthetic(int sentences, int vocabulary, long seed) {
        Random random = new Random(seed);
        List<String> words = words(vocabulary, seed);
        StringBuilder text = new StringBuilder();
        for (int s = 0; s < sentences; s++) {
            int length = 3 + random.nextInt(28);
            for (int w = 0; w < length; w++) {
                String word = words.get((int) Math.min(vocabulary - 1, Math.floor(Math.pow(vocabulary, random.nextDouble())) - 1));
                text.append(w == 0 ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : word);
                text.append(w == length - 1 ? ". " : " ");
            }
        }
        return text.toString();
    }

    /** The made-up words of {@link #synthetic}: distinct lower-case runs of 3 to 9 letters. */
    static List<String> words(int vocabulary, long seed) {
        Random random = new Random(seed * 31 + 7);
        java.util.LinkedHashSet<String> words = new java.util.LinkedHashSet<>();
        while (words.size() < vocabulary) {
            StringBuilder word = new StringBuilder();
            int length = 3 + random.nextInt(7);
            for (int i = 0; i < length; i++) {
                word.append((char) ('a' + random.nextInt(26)));
            }
            words.add(word.toString());
        }
        return new ArrayList<>(words);
    }

    /** Hands each segment of {@code text} and its synthetic vectors to {@code sink}, in order. */
    static void segments(TextTokenizer tokenizer, int maxTokens, String text, int dimension, long seed,
                         BiConsumer<Segment, List<float[]>> sink) {
        Random random = new Random(seed);
        // The sentence cut: the synthetic data (one random vector per sentence part) these tests were
        // measured on; which cut makes the parts is not what they test.
        Iterator<Segment> segments = new Segmenter(tokenizer, maxTokens, Cut.SENTENCE).segments(text);
        while (segments.hasNext()) {
            Segment segment = segments.next();
            List<float[]> vectors = new ArrayList<>();
            for (int i = 0; i < segment.sentences().size(); i++) {
                vectors.add(vector(random, dimension));
            }
            sink.accept(segment, vectors);
        }
    }

    /** A synthetic sentence vector: 0.5 in every component plus standard normal noise. */
    static float[] vector(Random random, int dimension) {
        float[] v = new float[dimension];
        for (int d = 0; d < dimension; d++) {
            v[d] = (float) (0.5 + random.nextGaussian());
        }
        return v;
    }
}
