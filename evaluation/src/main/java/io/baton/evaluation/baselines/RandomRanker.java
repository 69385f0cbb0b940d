package io.baton.evaluation.baselines;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Random-k: the sentences in a random order, shuffled by {@link Collections#shuffle(List, Random)}
 * with a {@link Random} seeded by {@code seed} and the number of sentences, so a run is
 * reproducible and documents of different lengths get different draws.
 */
public final class RandomRanker implements Ranker {

    private final long seed;

    public RandomRanker(long seed) {
        this.seed = seed;
    }

    @Override
    public String name() {
        return "random";
    }

    @Override
    public int[] rank(List<DocumentSentences.Sentence> sentences) {
        List<Integer> order = new ArrayList<>(IntStream.range(0, sentences.size()).boxed().toList());
        Collections.shuffle(order, new Random(seed * 1_000_003L + sentences.size()));
        return order.stream().mapToInt(Integer::intValue).toArray();
    }
}
