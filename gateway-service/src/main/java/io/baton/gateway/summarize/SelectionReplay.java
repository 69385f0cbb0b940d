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

    /** Null: the relevance the features were written with. */
    private final LearnedRelevance learned;
    /** NaN: the learned selector's own for the document's kind. */
    private final double lambda;
    /** -1: the learned selector's own for the document's kind, else {@link #fallbackMinWords}. */
    private final int minWords;
    private final int fallbackMinWords;

    SelectionReplay(LearnedRelevance learned, double lambda, int minWords, int fallbackMinWords) {
        this.learned = learned;
        this.lambda = lambda;
        this.minWords = minWords;
        this.fallbackMinWords = fallbackMinWords;
    }

    /**
     * Selection with the learned selector in {@code file} ({@code selector.json} format), MMR
     * trade-off {@code lambda} (NaN: the file's for the document's kind) and {@code minWords} (-1:
     * the file's for the document's kind, else {@code fallbackMinWords}).
     */
    public static SelectionReplay learned(Path file, double lambda, int minWords, int fallbackMinWords) {
        return new SelectionReplay(LearnedRelevance.read(file), lambda, minWords, fallbackMinWords);
    }

    /** Selection by the relevance each feature was written with, and trade-off {@code lambda}. */
    public static SelectionReplay written(double lambda, int minWords) {
        return new SelectionReplay(null, lambda, minWords, minWords);
    }

    /**
     * The indexes of the sentences picked within {@code maxWords} (no sentence limit), in document
     * order, for a document whose share of lines that open with a speaker label is {@code dialogue}
     * ({@link SpeakerTurns#share}).
     */
    public int[] pick(List<SentenceFeatures> features, double dialogue, int maxWords) {
        LearnedRelevance scorer = learned == null ? null : learned.at(dialogue);
        double trade = !Double.isNaN(lambda) ? lambda : scorer.lambda();
        int fewest = minWords >= 0 ? minWords : scorer == null ? fallbackMinWords : scorer.minWords(fallbackMinWords);
        MmrSelector selector = new MmrSelector(new MmrSelector.Weights(trade, 0, 0));
        int n = features.size();
        double[] relevance = new double[n];
        double[][] centred = new double[n][];
        int[] words = new int[n];
        boolean[] eligible = new boolean[n];
        for (int i = 0; i < n; i++) {
            SentenceFeatures f = features.get(i);
            relevance[i] = scorer == null ? f.relevance()
                    : scorer.relevance(f.zModel(), f.zLexical(), f.zLength(), f.position(), f.words(), f.centred());
            centred[i] = f.centred();
            words[i] = f.words();
            eligible[i] = words[i] >= fewest;
        }
        return selector.select(relevance, centred, words, eligible, Integer.MAX_VALUE, maxWords).stream()
                .mapToInt(MmrSelector.Pick::index).sorted().toArray();
    }
}
