package io.baton.evaluation.runner;

import io.baton.evaluation.rouge.RougeType;
import io.baton.evaluation.rouge.Score;
import java.util.EnumMap;
import java.util.Map;

/** One method's scores on one set, accumulated document by document: mean F1 per ROUGE type, mean summary words. */
final class MethodScores {

    private final Map<RougeType, Double> f1Sums = new EnumMap<>(RougeType.class);
    private long words;
    private int documents;

    void add(Map<RougeType, Score> scores, int summaryWords) {
        scores.forEach((type, score) -> f1Sums.merge(type, score.f1(), Double::sum));
        words += summaryWords;
        documents++;
    }

    int documents() {
        return documents;
    }

    /** Mean F1 of {@code type} over the documents, x 100. */
    double meanF1(RougeType type) {
        return documents == 0 ? 0 : 100 * f1Sums.getOrDefault(type, 0.0) / documents;
    }

    double meanWords() {
        return documents == 0 ? 0 : (double) words / documents;
    }
}
