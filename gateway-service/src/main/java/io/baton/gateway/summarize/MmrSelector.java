package io.baton.gateway.summarize;

import java.util.ArrayList;
import java.util.List;

/**
 * Extractive selection over sentence vectors: relevance is the cosine similarity of a sentence to
 * the centroid (mean of the unit vectors of all sentences); sentences are picked one at a time by
 * maximal marginal relevance, {@code lambda * relevance - (1 - lambda) * (highest similarity to a
 * sentence already picked)}, so a sentence that repeats a picked one loses to a new one.
 */
final class MmrSelector {

    /** A candidate: its unit vector, its word count. */
    record Candidate(double[] unit, int words) {
    }

    /** A pick: the candidate's index and its relevance. */
    record Pick(int index, double relevance) {
    }

    private final double lambda;

    MmrSelector(double lambda) {
        this.lambda = lambda;
    }

    /**
     * Picks sentences: at most {@code maxSentences}, and while {@code maxWords} (0: no word limit)
     * is not exceeded (at least one is picked). Candidates marked not eligible are passed over
     * while eligible ones are left.
     *
     * @return the picks, in the order they were picked
     */
    List<Pick> select(List<Candidate> candidates, boolean[] eligible, int maxSentences, int maxWords) {
        int n = candidates.size();
        int dim = n == 0 ? 0 : candidates.get(0).unit().length;
        double[] centroid = new double[dim];
        for (Candidate c : candidates) {
            for (int d = 0; d < dim; d++) {
                centroid[d] += c.unit()[d];
            }
        }
        double[] centroidUnit = unit(centroid);
        double[] relevance = new double[n];
        for (int i = 0; i < n; i++) {
            relevance[i] = dot(candidates.get(i).unit(), centroidUnit);
        }
        double[] redundancy = new double[n];
        java.util.Arrays.fill(redundancy, Double.NEGATIVE_INFINITY);
        boolean[] taken = new boolean[n];
        List<Pick> picks = new ArrayList<>();
        int words = 0;
        while (picks.size() < maxSentences) {
            int best = best(relevance, redundancy, taken, eligible, true);
            if (best < 0) {
                best = best(relevance, redundancy, taken, eligible, false);
            }
            if (best < 0) {
                break;
            }
            int bestWords = candidates.get(best).words();
            if (maxWords > 0 && !picks.isEmpty() && words + bestWords > maxWords) {
                taken[best] = true;   // too long: try the next best
                continue;
            }
            taken[best] = true;
            words += bestWords;
            picks.add(new Pick(best, relevance[best]));
            for (int i = 0; i < n; i++) {
                if (!taken[i]) {
                    redundancy[i] = Math.max(redundancy[i], dot(candidates.get(i).unit(), candidates.get(best).unit()));
                }
            }
            if (maxWords > 0 && words >= maxWords) {
                break;
            }
        }
        return picks;
    }

    private int best(double[] relevance, double[] redundancy, boolean[] taken, boolean[] eligible, boolean onlyEligible) {
        int best = -1;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < relevance.length; i++) {
            if (taken[i] || onlyEligible && !eligible[i]) {
                continue;
            }
            double penalty = redundancy[i] == Double.NEGATIVE_INFINITY ? 0 : redundancy[i];
            double score = lambda * relevance[i] - (1 - lambda) * penalty;
            if (score > bestScore) {
                bestScore = score;
                best = i;
            }
        }
        return best;
    }

    static double[] unit(double[] v) {
        double norm = Math.sqrt(dot(v, v));
        double[] u = new double[v.length];
        if (norm > 0) {
            for (int i = 0; i < v.length; i++) {
                u[i] = v[i] / norm;
            }
        }
        return u;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
