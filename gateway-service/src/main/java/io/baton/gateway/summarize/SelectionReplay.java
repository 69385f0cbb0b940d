package io.baton.gateway.summarize;

import java.nio.file.Path;
import java.util.List;

/**
 * Extractive selection replayed over sentence features already computed ({@link
 * SummaryService#features}), without running the model again: how {@code bench/quality choose}
 * compares learned selectors and MMR trade-offs on the sets kept for choosing (issue 17). It picks
 * as {@link CandidatePool#choose} does for a document the pool holds whole: the same relevance
 * ({@link LearnedRelevance}, or the relevance the features were written with), the same eligibility
 * by {@code minWords}, the same {@link MmrSelector}.
 */
public final class SelectionReplay {

    private final LearnedRelevance learned;
    private final MmrSelector selector;
    private final int minWords;

    SelectionReplay(LearnedRelevance learned, double lambda, int minWords) {
        this.learned = learned;
        this.selector = new MmrSelector(new MmrSelector.Weights(lambda, 0, 0));
        this.minWords = minWords;
    }

    /**
     * Selection with the learned selector in {@code file} ({@code selector.json} format), MMR
     * trade-off {@code lambda} (NaN: the file's) and {@code minWords} (-1: the file's, else
     * {@code fallbackMinWords}).
     */
    public static SelectionReplay learned(Path file, double lambda, int minWords, int fallbackMinWords) {
        LearnedRelevance relevance = LearnedRelevance.read(file);
        return new SelectionReplay(relevance, Double.isNaN(lambda) ? relevance.lambda() : lambda,
                minWords >= 0 ? minWords : relevance.minWords(fallbackMinWords));
    }

    /** Selection by the relevance each feature was written with, and trade-off {@code lambda}. */
    public static SelectionReplay written(double lambda, int minWords) {
        return new SelectionReplay(null, lambda, minWords);
    }

    /**
     * The indexes of the sentences picked within {@code maxWords} (no sentence limit), in document
     * order.
     */
    public int[] pick(List<SentenceFeatures> features, int maxWords) {
        int n = features.size();
        double[] relevance = new double[n];
        double[][] centred = new double[n][];
        int[] words = new int[n];
        boolean[] eligible = new boolean[n];
        for (int i = 0; i < n; i++) {
            SentenceFeatures f = features.get(i);
            relevance[i] = learned == null ? f.relevance()
                    : learned.relevance(f.zModel(), f.zLexical(), f.zLength(), f.position(), f.words(), f.centred());
            centred[i] = f.centred();
            words[i] = f.words();
            eligible[i] = words[i] >= minWords;
        }
        return selector.select(relevance, centred, words, eligible, Integer.MAX_VALUE, maxWords).stream()
                .mapToInt(MmrSelector.Pick::index).sorted().toArray();
    }
}
