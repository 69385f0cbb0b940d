package io.baton.evaluation.baselines;

import io.baton.evaluation.rouge.RougeTokenizer;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * TextRank (Mihalcea and Tarau 2004) over TF-IDF sentence vectors:
 * <ol>
 *   <li>terms: the ROUGE tokenizer's tokens with stemming (lower case, {@code [a-z0-9]+}, Porter
 *       stems), no stop list;</li>
 *   <li>a sentence's vector: term count x idf, idf = ln((1 + N) / (1 + df)) + 1 over the
 *       document's N sentences (df: sentences holding the term);</li>
 *   <li>a graph with an edge of weight cos(u, v) between every two distinct sentences;</li>
 *   <li>weighted PageRank with damping 0.85: a sentence passes its score to its neighbours in
 *       proportion to the edge weights, a sentence with no edges to every sentence alike;
 *       power iteration from the uniform vector until the L1 change is below 1e-10 (at most
 *       {@value #MAX_ITERATIONS} iterations).</li>
 * </ol>
 * Sentences rank by score, ties by position.
 */
public final class TextRankRanker implements Ranker {

    /** PageRank's damping factor. */
    public static final double DAMPING = 0.85;
    static final int MAX_ITERATIONS = 200;
    private static final double TOLERANCE = 1e-10;

    private final RougeTokenizer tokenizer = new RougeTokenizer(true);

    @Override
    public String name() {
        return "textrank";
    }

    @Override
    public int[] rank(List<DocumentSentences.Sentence> sentences) {
        double[] scores = scores(sentences);
        return IntStream.range(0, sentences.size()).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -scores[i]).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
    }

    /** The PageRank score of each sentence; they sum to 1. */
    double[] scores(List<DocumentSentences.Sentence> sentences) {
        int n = sentences.size();
        double[][] vectors = vectors(sentences);   // per sentence: sorted term ids, then weights, unit length
        double[][] weights = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double cos = dot(vectors[i], vectors[j]);
                weights[i][j] = cos;
                weights[j][i] = cos;
            }
        }
        return pageRank(weights);
    }

    static double[] pageRank(double[][] weights) {
        int n = weights.length;
        double[] outSum = new double[n];
        for (int j = 0; j < n; j++) {
            outSum[j] = Arrays.stream(weights[j]).sum();
        }
        double[] rank = new double[n];
        Arrays.fill(rank, 1.0 / n);
        for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            double dangling = 0;
            for (int j = 0; j < n; j++) {
                if (outSum[j] == 0) {
                    dangling += rank[j];
                }
            }
            double[] next = new double[n];
            for (int i = 0; i < n; i++) {
                double in = 0;
                for (int j = 0; j < n; j++) {
                    if (outSum[j] > 0 && weights[j][i] > 0) {
                        in += weights[j][i] / outSum[j] * rank[j];
                    }
                }
                next[i] = (1 - DAMPING) / n + DAMPING * (in + dangling / n);
            }
            double change = 0;
            for (int i = 0; i < n; i++) {
                change += Math.abs(next[i] - rank[i]);
            }
            rank = next;
            if (change < TOLERANCE) {
                break;
            }
        }
        return rank;
    }

    /**
     * Unit TF-IDF vectors, each as one array: the first half the sorted term ids (as doubles),
     * the second half their weights.
     */
    private double[][] vectors(List<DocumentSentences.Sentence> sentences) {
        Map<String, Integer> ids = new HashMap<>();
        List<TreeMap<Integer, Integer>> counts = sentences.stream().map(s -> {
            TreeMap<Integer, Integer> c = new TreeMap<>();
            for (String token : tokenizer.tokenize(s.text())) {
                c.merge(ids.computeIfAbsent(token, t -> ids.size()), 1, Integer::sum);
            }
            return c;
        }).toList();
        int[] df = new int[ids.size()];
        counts.forEach(c -> c.keySet().forEach(term -> df[term]++));
        int n = sentences.size();
        double[][] vectors = new double[n][];
        for (int s = 0; s < n; s++) {
            TreeMap<Integer, Integer> c = counts.get(s);
            double[] v = new double[2 * c.size()];
            int k = 0;
            double norm = 0;
            for (Map.Entry<Integer, Integer> e : c.entrySet()) {
                double w = e.getValue() * (Math.log((1.0 + n) / (1.0 + df[e.getKey()])) + 1);
                v[k] = e.getKey();
                v[c.size() + k] = w;
                norm += w * w;
                k++;
            }
            for (int i = c.size(); i < v.length; i++) {
                v[i] /= Math.sqrt(norm);
            }
            vectors[s] = v;
        }
        return vectors;
    }

    /** Dot product of two vectors in the layout of {@link #vectors}. */
    private static double dot(double[] a, double[] b) {
        int na = a.length / 2;
        int nb = b.length / 2;
        int i = 0;
        int j = 0;
        double sum = 0;
        while (i < na && j < nb) {
            if (a[i] == b[j]) {
                sum += a[na + i] * b[nb + j];
                i++;
                j++;
            } else if (a[i] < b[j]) {
                i++;
            } else {
                j++;
            }
        }
        return sum;
    }
}
