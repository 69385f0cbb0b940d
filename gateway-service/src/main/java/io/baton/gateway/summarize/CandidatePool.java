package io.baton.gateway.summarize;

import io.baton.gateway.segmenting.Sentence;
import io.baton.gateway.segmenting.SentenceSplitter;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.IntStream;

/**
 * The sentences extractive selection picks from, at most {@code capacity} of them in memory
 * whatever the document's length (the setting {@code baton.summaries.max-candidates}). A sentence
 * keeps its span in the request's text (never its characters), its word count and its model
 * vector as inference sent it, in floats (a sentence split across segments, whose merged vector
 * a float cannot hold exactly, keeps doubles).
 *
 * <ul>
 *   <li><b>Up to {@code capacity} sentences</b> the pool holds them all, and {@link #choose}
 *       computes exactly what {@link MmrSelector#select(List, boolean[], int, int)} computes over
 *       all of them: the same summary, bit for bit, as without a bound.</li>
 *   <li><b>When it overflows</b>, {@link DocumentStatistics} starts summing what relevance needs
 *       over all sentences (from the pool, which holds all of them so far, then from each new
 *       one), and the pool is cut to its best half by a provisional relevance: the model and
 *       length scores standardised with the moments of all sentences so far, the lexical one
 *       over the running term centroid, standardised over the pool. Sentences of at least
 *       {@code minWords} words come first, as they do in selection. At the end the kept sentences'
 *       relevance is exact over the whole document (up to hashed terms sharing a bucket:
 *       {@link TermVector#hashed}), and MMR runs over them with the document's mean vector for
 *       centring. What can differ from an unbounded selection is only a sentence the cuts passed
 *       over.</li>
 * </ul>
 * Relevance is {@link MmrSelector}'s centrality mix of the three standard scores, or, where the
 * model has one and the settings use it, the {@link LearnedRelevance} of those scores, the
 * sentence's position and words and its centred vector (with the learned selector's own MMR
 * {@code lambda}); both paths above compute either the same way.
 */
final class CandidatePool {

    /** A kept sentence: its characters without surrounding whitespace, its words, its model vector. */
    static final class Kept {

        final int start;
        final int end;
        final int words;
        /** The vector, when a float holds every component exactly; else null. */
        private final float[] narrow;
        /** The vector otherwise. */
        private final double[] wide;

        Kept(int start, int end, int words, double[] vector) {
            this.start = start;
            this.end = end;
            this.words = words;
            float[] floats = new float[vector.length];
            boolean exact = true;
            for (int d = 0; d < vector.length && exact; d++) {
                floats[d] = (float) vector[d];
                exact = floats[d] == vector[d];
            }
            this.narrow = exact ? floats : null;
            this.wide = exact ? null : vector.clone();
        }

        /** The model vector, as it was given (a copy). */
        double[] vector() {
            if (wide != null) {
                return wide.clone();
            }
            double[] v = new double[narrow.length];
            for (int d = 0; d < v.length; d++) {
                v[d] = narrow[d];
            }
            return v;
        }
    }

    /** A pick: the sentence's span without surrounding whitespace and its relevance. */
    record Choice(int start, int end, double relevance) {
    }

    private final String text;
    private final int capacity;
    private final int minWords;
    private final MmrSelector selector;
    /** Null: relevance is the selector's centrality mix. */
    private final LearnedRelevance learned;
    private List<Kept> kept = new ArrayList<>();
    /** Null until the pool first overflows. */
    private DocumentStatistics statistics;
    private long sentences;
    /** A fold of every sentence's span, to check that reading the sentences again finds the same ones. */
    private long spans = 1;

    /**
     * @param text     the document; sentences are kept as spans into it
     * @param capacity the most sentences kept, at least 2
     * @param minWords the fewest words of a sentence picked while longer ones are left
     * @param weights  selection's weights
     */
    CandidatePool(String text, int capacity, int minWords, MmrSelector.Weights weights) {
        this(text, capacity, minWords, weights, null);
    }

    /**
     * @param given   the learned relevance in place of {@code weights}' centrality mix, with its own
     *                {@code lambda} and, where it has one, its own {@code minWords}, as it is for this
     *                document's share of speaker turns ({@link LearnedRelevance#of}); null: the mix
     */
    CandidatePool(String text, int capacity, int minWords, MmrSelector.Weights weights, LearnedRelevance given) {
        if (capacity < 2) {
            throw new IllegalArgumentException("the pool needs room for at least 2 sentences, not " + capacity);
        }
        LearnedRelevance learned = given == null ? null : given.of(text);
        this.text = text;
        this.capacity = capacity;
        this.minWords = learned == null ? minWords : learned.minWords(minWords);
        this.learned = learned;
        this.selector = new MmrSelector(learned == null ? weights
                : new MmrSelector.Weights(learned.lambda(), weights.lexicalWeight(), weights.lengthWeight()));
    }

    /** Adds the next sentence of the document: its characters {@code [start, end)} and its model vector. */
    void add(long start, long end, double[] vector) {
        sentences++;
        spans = fold(spans, start, end);
        int[] span = stripped(text, start, end);
        String sentence = text.substring(span[0], span[1]);
        Kept next = new Kept(span[0], span[1], words(sentence), vector);
        if (statistics != null) {
            statistics.add(sentence, next.words, vector);
            statistics.addRunningTerms(sentence);
        }
        kept.add(next);
        if (kept.size() > capacity) {
            cut();
        }
    }

    /** The number of sentences added. */
    long sentences() {
        return sentences;
    }

    /** The number of sentences kept now. */
    int size() {
        return kept.size();
    }

    /**
     * Picks the summary's sentences: at most {@code maxSentences}, within {@code maxWords} (0: no
     * limit) as {@link MmrSelector} does.
     *
     * @return the picks in document order, leaving out any without characters
     */
    List<Choice> choose(int maxSentences, int maxWords) {
        int n = kept.size();
        boolean[] eligible = new boolean[n];
        int[] words = new int[n];
        for (int i = 0; i < n; i++) {
            words[i] = kept.get(i).words;
            eligible[i] = words[i] >= minWords;
        }
        double[] relevance;
        double[][] centred;
        if (statistics == null) {
            List<SentenceFeatures> features = features();
            relevance = features.stream().mapToDouble(SentenceFeatures::relevance).toArray();
            centred = features.stream().map(SentenceFeatures::centred).toArray(double[][]::new);
        } else {
            centred = centred(statistics.meanVector());
            relevance = relevance(centred);
        }
        return selector.select(relevance, centred, words, eligible, maxSentences, maxWords).stream()
                .sorted(Comparator.comparingInt(MmrSelector.Pick::index))
                .map(p -> new Choice(kept.get(p.index()).start, kept.get(p.index()).end, p.relevance()))
                .filter(choice -> choice.end() > choice.start())
                .toList();
    }

    /**
     * Every sentence's {@link SentenceFeatures}, in document order, as {@link #choose} computes
     * them. Only while the pool holds the whole document: after a cut, selection's numbers come
     * from statistics the features do not reproduce.
     *
     * @throws IllegalStateException when the document had more sentences than the pool holds
     */
    List<SentenceFeatures> features() {
        if (statistics != null) {
            throw new IllegalStateException("the document has more than " + capacity + " sentences"
                    + " (baton.summaries.max-candidates): its features are not all kept");
        }
        List<MmrSelector.Candidate> candidates = candidates();
        int n = candidates.size();
        double[][] z = MmrSelector.standardScores(candidates);
        double[][] centred = MmrSelector.centred(candidates);
        List<SentenceFeatures> features = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Kept k = kept.get(i);
            double position = position(k);
            features.add(new SentenceFeatures(k.start, k.end, k.words, position, z[0][i], z[1][i], z[2][i],
                    relevance(z[0][i], z[1][i], z[2][i], position, k.words, centred[i]), centred[i]));
        }
        return features;
    }

    /** The kept sentences as selection's candidates: vector, term vector over the kept ones, words. */
    private List<MmrSelector.Candidate> candidates() {
        List<TermVector> terms = TermVector.of(texts());
        List<MmrSelector.Candidate> candidates = new ArrayList<>(kept.size());
        for (int i = 0; i < kept.size(); i++) {
            candidates.add(new MmrSelector.Candidate(kept.get(i).vector(), terms.get(i), kept.get(i).words));
        }
        return candidates;
    }

    /**
     * A sentence's relevance from its standard scores, position, words and centred unit vector:
     * the learned relevance, or the selector's centrality mix.
     */
    private double relevance(double zModel, double zLexical, double zLength, double position, int words,
                             double[] centred) {
        return learned == null ? selector.mix(zModel, zLexical, zLength)
                : learned.relevance(zModel, zLexical, zLength, position, words, centred);
    }

    /** A kept sentence's first character over the document's length. */
    private double position(Kept k) {
        return text.isEmpty() ? 0 : (double) k.start / text.length();
    }

    /**
     * The kept sentences' relevance over the whole document (once the pool has overflowed), given
     * their vectors centred on the document's mean.
     */
    private double[] relevance(double[][] centred) {
        double[] lexicalMoments = new double[2];
        double[] termCentroid = statistics.finalTerms(documentSentences(), lexicalMoments);
        double[] centroid = statistics.centroidUnit();
        double[] modelMoments = statistics.modelMoments();
        double[] lengthMoments = statistics.lengthMoments();
        double[] relevance = new double[kept.size()];
        for (int i = 0; i < relevance.length; i++) {
            Kept k = kept.get(i);
            double model = MmrSelector.dot(MmrSelector.unit(k.vector()), centroid);
            double lexical = statistics.terms(text.substring(k.start, k.end)).dot(termCentroid);
            double length = Math.log(Math.max(1, k.words));
            relevance[i] = relevance(MmrSelector.standard(model, modelMoments[0], modelMoments[1]),
                    MmrSelector.standard(lexical, lexicalMoments[0], lexicalMoments[1]),
                    MmrSelector.standard(length, lengthMoments[0], lengthMoments[1]), position(k), k.words,
                    centred[i]);
        }
        return relevance;
    }

    /** The kept sentences' vectors minus {@code mean} (the document's mean vector), as unit vectors. */
    private double[][] centred(double[] mean) {
        double[][] centred = new double[kept.size()][];
        for (int i = 0; i < centred.length; i++) {
            double[] v = kept.get(i).vector();
            for (int d = 0; d < v.length; d++) {
                v[d] -= mean[d];
            }
            centred[i] = MmrSelector.unit(v);
        }
        return centred;
    }

    /**
     * Cuts the pool to its best half by provisional relevance (see the class comment), keeping
     * document order; the first cut starts the statistics from the pool, which then holds every
     * sentence so far.
     */
    private void cut() {
        if (statistics == null) {
            statistics = new DocumentStatistics(kept.get(0).vector().length);
            List<String> texts = texts();
            for (int i = 0; i < kept.size(); i++) {
                statistics.add(texts.get(i), kept.get(i).words, kept.get(i).vector());
            }
            texts.forEach(statistics::addRunningTerms);
        }
        int n = kept.size();
        double[] centroid = statistics.centroidUnit();
        double[] modelMoments = statistics.modelMoments();
        double[] lengthMoments = statistics.lengthMoments();
        double[] termCentroid = statistics.runningTermsUnit();
        double[] lexical = new double[n];
        for (int i = 0; i < n; i++) {
            lexical[i] = statistics.terms(text.substring(kept.get(i).start, kept.get(i).end)).dot(termCentroid);
        }
        double[] zLexical = MmrSelector.standardised(lexical);
        double[][] centred = learned == null ? new double[n][] : centred(statistics.meanVector());
        double[] score = new double[n];
        for (int i = 0; i < n; i++) {
            Kept k = kept.get(i);
            double model = MmrSelector.dot(MmrSelector.unit(k.vector()), centroid);
            score[i] = relevance(MmrSelector.standard(model, modelMoments[0], modelMoments[1]), zLexical[i],
                    MmrSelector.standard(Math.log(Math.max(1, k.words)), lengthMoments[0], lengthMoments[1]),
                    position(k), k.words, centred[i]);
        }
        Comparator<Integer> better = Comparator.<Integer, Boolean>comparing(i -> kept.get(i).words >= minWords)
                .thenComparingDouble(i -> score[i]).reversed();
        List<Kept> best = IntStream.range(0, n).boxed().sorted(better).limit(capacity / 2).sorted()
                .map(kept::get).toList();
        kept = new ArrayList<>(best);
    }

    /** The kept sentences' texts, without surrounding whitespace. */
    private List<String> texts() {
        return new AbstractList<>() {
            @Override
            public String get(int index) {
                return text.substring(kept.get(index).start, kept.get(index).end);
            }

            @Override
            public int size() {
                return kept.size();
            }
        };
    }

    /**
     * Every sentence added, read again from the text (no sentence is held: each is split off as
     * the iteration reaches it, as the segmenter split them), without surrounding whitespace.
     *
     * @throws IllegalStateException when the text does not split into the sentences added
     */
    private Iterable<String> documentSentences() {
        return () -> new Iterator<>() {
            private final Iterator<Sentence> found = new SentenceSplitter().sentences(text);
            private long read;
            private long fold = 1;

            @Override
            public boolean hasNext() {
                if (read < sentences && found.hasNext()) {
                    return true;
                }
                if (read != sentences || fold != spans) {
                    throw new IllegalStateException("the text splits into other sentences than the segments had");
                }
                return false;
            }

            @Override
            public String next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Sentence sentence = found.next();
                read++;
                fold = fold(fold, sentence.start(), sentence.end());
                int[] span = stripped(text, sentence.start(), sentence.end());
                return text.substring(span[0], span[1]);
            }
        };
    }

    private static long fold(long fold, long start, long end) {
        return (fold * 31 + start) * 31 + end;
    }

    /** {@code [start, end)} without leading and trailing whitespace. */
    static int[] stripped(String text, long start, long end) {
        int s = (int) start;
        int e = (int) end;
        while (s < e && Character.isWhitespace(text.charAt(s))) {
            s++;
        }
        while (e > s && Character.isWhitespace(text.charAt(e - 1))) {
            e--;
        }
        return new int[] {s, e};
    }

    /** The number of runs of non-whitespace. */
    static int words(String sentence) {
        String trimmed = sentence.strip();
        return trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
    }
}
