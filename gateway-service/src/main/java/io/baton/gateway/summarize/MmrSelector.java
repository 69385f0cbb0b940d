package io.baton.gateway.summarize;

import java.util.ArrayList;
import java.util.List;

/**
 * Extractive selection. Each sentence has two vectors: the model's (the mean of its hidden
 * states) and its words' ({@link TermVector}). Its relevance mixes three standard scores (each
 * standardised over the document's sentences: minus the mean, over the standard deviation):
 * <pre>
 *   relevance = (1 - lexicalWeight) * z(cosine of its model vector to the model centroid)
 *             + lexicalWeight       * z(cosine of its term vector to the term centroid)
 *             + lengthWeight        * z(ln words)
 * </pre>
 * (a centroid is the sum of all sentences' unit vectors). Sentences are picked one at a time by
 * maximal marginal relevance, {@code lambda * relevance - (1 - lambda) * (highest similarity to a
 * sentence already picked)}, where the similarity of two sentences is the cosine of their model
 * vectors after the document's mean vector is subtracted: mean hidden states of a language model
 * share a common direction (two sentences of a document have a raw cosine of 0.5-0.65 on average
 * with gemma2-small), and centring leaves what tells the sentences apart (average 0), so a
 * sentence that repeats a picked one (cosine 1) loses to a new one.
 */
final class MmrSelector {

    /** A candidate: its model vector (any length), its term vector, its word count. */
    record Candidate(double[] vector, TermVector terms, int words) {
    }

    /** A pick: the candidate's index and its relevance (the mixed standard score). */
    record Pick(int index, double relevance) {
    }

    /**
     * The selection's weights.
     *
     * @param lambda        1: relevance only, 0: novelty only
     * @param lexicalWeight the term vectors' share of relevance, the model vectors' is the rest
     * @param lengthWeight  how much longer sentences are preferred (0: not at all)
     */
    record Weights(double lambda, double lexicalWeight, double lengthWeight) {
    }

    private final Weights weights;

    MmrSelector(Weights weights) {
        this.weights = weights;
    }

    /**
     * Picks sentences: at most {@code maxSentences}, and while {@code maxWords} (0: no word limit)
     * is not exceeded (at least one is picked). Candidates marked not eligible are passed over
     * while eligible ones are left.
     *
     * @return the picks, in the order they were picked
     */
    List<Pick> select(List<Candidate> candidates, boolean[] eligible, int maxSentences, int maxWords) {
        int[] words = candidates.stream().mapToInt(Candidate::words).toArray();
        return select(relevance(candidates), centred(candidates), words, eligible, maxSentences, maxWords);
    }

    /**
     * Picks sentences by their given relevance and centred unit vectors (the similarity of two is
     * the dot product of theirs), under the rules of {@link #select(List, boolean[], int, int)}.
     * The selection over a bounded pool ({@link CandidatePool}) gives these from statistics of the
     * whole document.
     */
    List<Pick> select(double[] relevance, double[][] centred, int[] words, boolean[] eligible, int maxSentences,
                      int maxWords) {
        int n = relevance.length;
        double[] redundancy = new double[n];
        java.util.Arrays.fill(redundancy, Double.NEGATIVE_INFINITY);
        boolean[] taken = new boolean[n];
        List<Pick> picks = new ArrayList<>();
        int picked = 0;
        while (picks.size() < maxSentences) {
            int best = best(relevance, redundancy, taken, eligible, true);
            if (best < 0) {
                best = best(relevance, redundancy, taken, eligible, false);
            }
            if (best < 0) {
                break;
            }
            if (maxWords > 0 && !picks.isEmpty() && picked + words[best] > maxWords) {
                taken[best] = true;   // too long: try the next best
                continue;
            }
            taken[best] = true;
            picked += words[best];
            picks.add(new Pick(best, relevance[best]));
            for (int i = 0; i < n; i++) {
                if (!taken[i]) {
                    redundancy[i] = Math.max(redundancy[i], dot(centred[i], centred[best]));
                }
            }
            if (maxWords > 0 && picked >= maxWords) {
                break;
            }
        }
        return picks;
    }

    /** Per candidate: the mix of its standard scores (see the class comment). */
    double[] relevance(List<Candidate> candidates) {
        double[][] z = standardScores(candidates);
        double[] relevance = new double[candidates.size()];
        for (int i = 0; i < relevance.length; i++) {
            relevance[i] = mix(z[0][i], z[1][i], z[2][i]);
        }
        return relevance;
    }

    /**
     * Per candidate, its three standard scores (see the class comment): {@code [0]} the model
     * vector's cosine to the model centroid, {@code [1]} the term vector's to the term centroid,
     * {@code [2]} ln words, each standardised over the candidates.
     */
    static double[][] standardScores(List<Candidate> candidates) {
        int n = candidates.size();
        double[][] units = new double[n][];
        double[] centroid = new double[n == 0 ? 0 : candidates.get(0).vector().length];
        int vocabulary = 0;
        for (int i = 0; i < n; i++) {
            units[i] = unit(candidates.get(i).vector());
            for (int d = 0; d < centroid.length; d++) {
                centroid[d] += units[i][d];
            }
            for (int term : candidates.get(i).terms().terms()) {
                vocabulary = Math.max(vocabulary, term + 1);
            }
        }
        double[] termCentroid = new double[vocabulary];
        for (Candidate c : candidates) {
            for (int k = 0; k < c.terms().terms().length; k++) {
                termCentroid[c.terms().terms()[k]] += c.terms().weights()[k];
            }
        }
        double[] centroidUnit = unit(centroid);
        double[] termCentroidUnit = unit(termCentroid);
        double[] model = new double[n];
        double[] lexical = new double[n];
        double[] length = new double[n];
        for (int i = 0; i < n; i++) {
            model[i] = dot(units[i], centroidUnit);
            lexical[i] = candidates.get(i).terms().dot(termCentroidUnit);
            length[i] = Math.log(Math.max(1, candidates.get(i).words()));
        }
        return new double[][] {standardised(model), standardised(lexical), standardised(length)};
    }

    /** The relevance of a sentence with these three standard scores (see the class comment). */
    double mix(double zModel, double zLexical, double zLength) {
        return (1 - weights.lexicalWeight()) * zModel + weights.lexicalWeight() * zLexical
                + weights.lengthWeight() * zLength;
    }

    /** The candidates' model vectors minus their mean, as unit vectors. */
    static double[][] centred(List<Candidate> candidates) {
        int n = candidates.size();
        double[] mean = new double[n == 0 ? 0 : candidates.get(0).vector().length];
        for (Candidate c : candidates) {
            for (int d = 0; d < mean.length; d++) {
                mean[d] += c.vector()[d] / n;
            }
        }
        double[][] centred = new double[n][];
        for (int i = 0; i < n; i++) {
            double[] v = new double[mean.length];
            for (int d = 0; d < mean.length; d++) {
                v[d] = candidates.get(i).vector()[d] - mean[d];
            }
            centred[i] = unit(v);
        }
        return centred;
    }

    /** {@code (x - mean) / standard deviation}; all 0 when the values are all equal. */
    static double[] standardised(double[] x) {
        double mean = 0;
        for (double v : x) {
            mean += v / x.length;
        }
        double variance = 0;
        for (double v : x) {
            variance += (v - mean) * (v - mean) / x.length;
        }
        double sd = Math.sqrt(variance);
        double[] z = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            z[i] = standard(x[i], mean, sd);
        }
        return z;
    }

    /** {@code (x - mean) / sd}, or 0 when {@code sd} is too small to tell values apart. */
    static double standard(double x, double mean, double sd) {
        return sd > 1e-12 * (1 + Math.abs(mean)) ? (x - mean) / sd : 0;
    }

    private int best(double[] relevance, double[] redundancy, boolean[] taken, boolean[] eligible, boolean onlyEligible) {
        int best = -1;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < relevance.length; i++) {
            if (taken[i] || onlyEligible && !eligible[i]) {
                continue;
            }
            double penalty = redundancy[i] == Double.NEGATIVE_INFINITY ? 0 : redundancy[i];
            double score = weights.lambda() * relevance[i] - (1 - weights.lambda()) * penalty;
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
