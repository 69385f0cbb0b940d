package io.baton.gateway.summarize;

/**
 * What relevance needs over all of a document's sentences, summed as they come, in memory that
 * does not grow with the document: for the model vectors, the sum of their unit vectors (the
 * centroid), the sum of the vectors (their mean centres MMR's similarity) and the sum of the
 * unit vectors' outer products (hidden x hidden), from which the mean and the variance of every
 * sentence's cosine to the centroid follow exactly ({@code u_i . c^ } sums to {@code |c|}, its
 * square to {@code c^T (sum u u^T) c / |c|^2}); the first two moments of ln words; and the
 * document frequencies of the hashed vocabulary ({@link TermVector#hashed}) with a running term
 * centroid for the pool's provisional scores ({@link CandidatePool}).
 *
 * <p>Made only for a document longer than the pool: 4 MB for the two term tables ({@link
 * TermVector#BUCKETS} ints and floats) and hidden x hidden doubles (0.5 MB for gemma2-small),
 * whatever the document's length; the final term centroid (4 MB of doubles) lives only while
 * the summary is chosen.
 */
final class DocumentStatistics {

    private final int dimension;
    private long sentences;
    private final double[] centroid;
    private final double[] sum;
    /** The upper triangle ({@code d <= e}) of the sum of {@code u u^T}, row-major. */
    private final double[] outer;
    private double lnWords;
    private double lnWordsSquared;
    private final int[] documentFrequency = new int[TermVector.BUCKETS];
    /** The sum of the term vectors, each with the frequencies of when it came (provisional, so floats). */
    private final float[] runningTerms = new float[TermVector.BUCKETS];

    DocumentStatistics(int dimension) {
        this.dimension = dimension;
        this.centroid = new double[dimension];
        this.sum = new double[dimension];
        this.outer = new double[dimension * dimension];
    }

    /** Counts a sentence: its text without surrounding whitespace, its word count and model vector. */
    void add(String sentence, int words, double[] vector) {
        sentences++;
        double[] unit = MmrSelector.unit(vector);
        for (int d = 0; d < dimension; d++) {
            centroid[d] += unit[d];
            sum[d] += vector[d];
            double ud = unit[d];
            if (ud != 0) {
                int row = d * dimension;
                for (int e = d; e < dimension; e++) {
                    outer[row + e] += ud * unit[e];
                }
            }
        }
        double ln = Math.log(Math.max(1, words));
        lnWords += ln;
        lnWordsSquared += ln * ln;
        for (int bucket : TermVector.bucketCounts(sentence).keySet()) {
            documentFrequency[bucket]++;
        }
    }

    /** Adds a sentence's term vector (with the frequencies so far) to the running term centroid. */
    void addRunningTerms(String sentence) {
        TermVector vector = terms(sentence);
        for (int k = 0; k < vector.terms().length; k++) {
            runningTerms[vector.terms()[k]] += (float) vector.weights()[k];
        }
    }

    /** The number of sentences counted. */
    long sentences() {
        return sentences;
    }

    /** The sentence's term vector over the hashed vocabulary, with the frequencies so far. */
    TermVector terms(String sentence) {
        return TermVector.hashed(sentence, documentFrequency, sentences);
    }

    /** The unit centroid of the model vectors. */
    double[] centroidUnit() {
        return MmrSelector.unit(centroid);
    }

    /** The mean and standard deviation, over all sentences, of the cosine of a model vector to the centroid. */
    double[] modelMoments() {
        double[] unit = centroidUnit();
        double mean = Math.sqrt(MmrSelector.dot(centroid, centroid)) / sentences;
        double squares = 0;
        for (int d = 0; d < dimension; d++) {
            int row = d * dimension;
            double off = 0;
            for (int e = d + 1; e < dimension; e++) {
                off += outer[row + e] * unit[e];
            }
            squares += unit[d] * (outer[row + d] * unit[d] + 2 * off);
        }
        return new double[] {mean, Math.sqrt(Math.max(0, squares / sentences - mean * mean))};
    }

    /** The mean and standard deviation of ln words over all sentences. */
    double[] lengthMoments() {
        double mean = lnWords / sentences;
        return new double[] {mean, Math.sqrt(Math.max(0, lnWordsSquared / sentences - mean * mean))};
    }

    /** The mean of all model vectors. */
    double[] meanVector() {
        double[] mean = new double[dimension];
        for (int d = 0; d < dimension; d++) {
            mean[d] = sum[d] / sentences;
        }
        return mean;
    }

    /** The unit running term centroid (provisional: each sentence weighed with the frequencies of when it came). */
    double[] runningTermsUnit() {
        double[] terms = new double[runningTerms.length];
        for (int b = 0; b < terms.length; b++) {
            terms[b] = runningTerms[b];
        }
        return MmrSelector.unit(terms);
    }

    /**
     * The final term centroid and the moments of the lexical cosine, from the document's
     * sentences read again ({@code sentences}: each one's text without surrounding whitespace,
     * in order, every one counted here). Two passes: the centroid needs every term vector with the
     * final frequencies, the cosines need the centroid.
     *
     * @param moments set to the cosine's mean and standard deviation
     * @return the unit term centroid
     */
    double[] finalTerms(Iterable<String> sentences, double[] moments) {
        double[] centroid = new double[TermVector.BUCKETS];
        for (String sentence : sentences) {
            TermVector vector = terms(sentence);
            for (int k = 0; k < vector.terms().length; k++) {
                centroid[vector.terms()[k]] += vector.weights()[k];
            }
        }
        double[] unit = MmrSelector.unit(centroid);
        double total = 0;
        double squares = 0;
        for (String sentence : sentences) {
            double cosine = terms(sentence).dot(unit);
            total += cosine;
            squares += cosine * cosine;
        }
        double mean = total / this.sentences;
        moments[0] = mean;
        moments[1] = Math.sqrt(Math.max(0, squares / this.sentences - mean * mean));
        return unit;
    }
}
