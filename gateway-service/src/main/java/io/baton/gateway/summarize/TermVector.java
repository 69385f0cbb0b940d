package io.baton.gateway.summarize;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntUnaryOperator;

/**
 * A sentence's words as a unit-length TF-IDF vector over the document's sentences: tokens are the
 * lower-cased runs of {@code [a-z0-9]} of at least {@value #MIN_TOKEN_LENGTH} characters (no
 * stemming, no stop list; the length rule drops most function words and the "uh", "um", "ok" of
 * transcripts, which would otherwise fill the centroid), a term weighs
 * {@code tf * (ln((1 + N) / (1 + df)) + 1)} over the document's N sentences, so words every
 * sentence has ("the", a speaker's name) weigh least. Terms are kept sorted for a merge dot
 * product.
 *
 * @param terms   term ids, ascending
 * @param weights their weights; the vector has length 1 (0 for a sentence with no tokens)
 */
record TermVector(int[] terms, double[] weights) {

    /** The fewest characters a token needs. */
    static final int MIN_TOKEN_LENGTH = 3;

    /** The vectors of {@code sentences}, in order, over one shared vocabulary. */
    static List<TermVector> of(List<String> sentences) {
        Map<String, Integer> ids = new HashMap<>();
        List<TreeMap<Integer, Integer>> counts = new ArrayList<>(sentences.size());
        for (String sentence : sentences) {
            TreeMap<Integer, Integer> c = new TreeMap<>();
            for (String token : tokens(sentence)) {
                c.merge(ids.computeIfAbsent(token, t -> ids.size()), 1, Integer::sum);
            }
            counts.add(c);
        }
        int[] df = new int[ids.size()];
        counts.forEach(c -> c.keySet().forEach(term -> df[term]++));
        int n = sentences.size();
        List<TermVector> vectors = new ArrayList<>(n);
        for (TreeMap<Integer, Integer> c : counts) {
            vectors.add(weighted(c, term -> df[term], n));
        }
        return vectors;
    }

    /** The unit TF-IDF vector of a sentence's term counts, document frequencies {@code df} over {@code n} sentences. */
    private static TermVector weighted(TreeMap<Integer, Integer> counts, IntUnaryOperator df, long n) {
        int[] terms = new int[counts.size()];
        double[] weights = new double[counts.size()];
        double norm = 0;
        int k = 0;
        for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
            terms[k] = e.getKey();
            weights[k] = e.getValue() * (Math.log((1.0 + n) / (1.0 + df.applyAsInt(e.getKey()))) + 1);
            norm += weights[k] * weights[k];
            k++;
        }
        for (int i = 0; i < weights.length; i++) {
            weights[i] /= Math.sqrt(norm);
        }
        return new TermVector(terms, weights);
    }

    /**
     * The buckets of the hashed vocabulary ({@link #hashed}): a fixed number, so that the tables
     * of a document longer than selection's pool ({@link CandidatePool}) do not grow with its text.
     */
    static final int BUCKETS = 1 << 19;

    /** The bucket of a token in the hashed vocabulary. */
    static int bucket(String token) {
        int h = token.hashCode();   // then MurmurHash3's finaliser, so every bit of it reaches the bucket
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return h & (BUCKETS - 1);
    }

    /** A sentence's token counts by bucket of the hashed vocabulary, buckets ascending. */
    static TreeMap<Integer, Integer> bucketCounts(String sentence) {
        TreeMap<Integer, Integer> counts = new TreeMap<>();
        for (String token : tokens(sentence)) {
            counts.merge(bucket(token), 1, Integer::sum);
        }
        return counts;
    }

    /**
     * A sentence's vector over the hashed vocabulary: what {@link #of} gives with buckets for
     * terms (two words of one bucket count as one term), with the buckets' document frequencies
     * {@code df} over {@code n} sentences.
     */
    static TermVector hashed(String sentence, int[] df, long n) {
        return weighted(bucketCounts(sentence), term -> df[term], n);
    }

    /** The lower-cased runs of {@code [a-z0-9]} in {@code text} of at least {@link #MIN_TOKEN_LENGTH} characters. */
    static List<String> tokens(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < lower.length()) {
            while (i < lower.length() && !isTokenChar(lower.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < lower.length() && isTokenChar(lower.charAt(i))) {
                i++;
            }
            if (i - start >= MIN_TOKEN_LENGTH) {
                tokens.add(lower.substring(start, i));
            }
        }
        return tokens;
    }

    private static boolean isTokenChar(char c) {
        return c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
    }

    /** The dot product; for two vectors of one document, their cosine similarity. */
    double dot(TermVector other) {
        int i = 0;
        int j = 0;
        double sum = 0;
        while (i < terms.length && j < other.terms.length) {
            if (terms[i] == other.terms[j]) {
                sum += weights[i++] * other.weights[j++];
            } else if (terms[i] < other.terms[j]) {
                i++;
            } else {
                j++;
            }
        }
        return sum;
    }

    /** The dot product with a dense vector indexed by term id. */
    double dot(double[] dense) {
        double sum = 0;
        for (int i = 0; i < terms.length; i++) {
            sum += weights[i] * dense[terms[i]];
        }
        return sum;
    }
}
