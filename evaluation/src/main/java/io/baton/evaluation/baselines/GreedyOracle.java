package io.baton.evaluation.baselines;

import io.baton.evaluation.rouge.RougeTokenizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The greedy extractive oracle: the sentences a selector that could see the reference summaries
 * would pick, the ceiling of extractive selection over the gateway's sentences and the labels a
 * learned selector is trained on (issue 17). It is not a baseline: it reads the references.
 *
 * <p>From nothing picked, it adds the sentence that raises the objective most, the mean of
 * ROUGE-1 and ROUGE-2 F1 (each against the reference where it is highest, Porter stemming), and
 * stops when no sentence raises it or the word budget is reached. Every pick obeys the API's
 * length rule ({@link WordBudget}: the first pick always goes in; a sentence that would overflow
 * is not considered). Short sentences are not held back: the oracle may take any sentence. While
 * searching, a candidate summary's n-grams are those of its sentences, without the bigrams that
 * span two sentences; the summary it returns is scored like any other, on its joined text.
 */
public final class GreedyOracle {

    private final RougeTokenizer tokenizer = new RougeTokenizer(true);

    /** The picked sentences, in document order. */
    public List<DocumentSentences.Sentence> pick(List<DocumentSentences.Sentence> sentences, List<String> references,
                                                 int words) {
        List<Grams> targets = references.stream().map(r -> new Grams(tokenizer.tokenize(r))).toList();
        List<Grams> candidates = sentences.stream().map(s -> new Grams(tokenizer.tokenize(s.text()))).toList();
        Grams summary = new Grams(List.of());
        boolean[] picked = new boolean[sentences.size()];
        int total = 0;
        double best = 0;
        while (total < words) {
            int choice = -1;
            for (int i = 0; i < sentences.size(); i++) {
                boolean fits = total == 0 || total + sentences.get(i).words() <= words;
                if (picked[i] || !fits || candidates.get(i).unigramCount == 0) {
                    continue;
                }
                double value = objective(targets, summary, candidates.get(i));
                if (value > best) {
                    best = value;
                    choice = i;
                }
            }
            if (choice < 0) {
                break;
            }
            picked[choice] = true;
            summary = summary.plus(candidates.get(choice));
            total += sentences.get(choice).words();
        }
        List<DocumentSentences.Sentence> out = new ArrayList<>();
        for (int i = 0; i < picked.length; i++) {
            if (picked[i]) {
                out.add(sentences.get(i));
            }
        }
        return out;
    }

    /** Mean of ROUGE-1 and ROUGE-2 F1 of {@code summary} plus {@code candidate}, each best over the targets. */
    private static double objective(List<Grams> targets, Grams summary, Grams candidate) {
        double rouge1 = 0;
        double rouge2 = 0;
        for (Grams target : targets) {
            rouge1 = Math.max(rouge1, f1(target.unigrams, target.unigramCount, summary.unigrams,
                    candidate.unigrams, summary.unigramCount + candidate.unigramCount));
            rouge2 = Math.max(rouge2, f1(target.bigrams, target.bigramCount, summary.bigrams,
                    candidate.bigrams, summary.bigramCount + candidate.bigramCount));
        }
        return (rouge1 + rouge2) / 2;
    }

    /** F1 of the clipped overlap of {@code picked} + {@code added} with {@code reference}. */
    private static double f1(Map<String, Integer> reference, int referenceCount, Map<String, Integer> picked,
                             Map<String, Integer> added, int predictedCount) {
        if (referenceCount == 0 || predictedCount == 0) {
            return 0;
        }
        int overlap = 0;
        for (Map.Entry<String, Integer> gram : reference.entrySet()) {
            int count = picked.getOrDefault(gram.getKey(), 0) + added.getOrDefault(gram.getKey(), 0);
            overlap += Math.min(gram.getValue(), count);
        }
        double precision = (double) overlap / predictedCount;
        double recall = (double) overlap / referenceCount;
        return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    }

    /** Unigram and bigram counts (bigrams keyed "a b") of a token sequence or of several summed. */
    private static final class Grams {

        final Map<String, Integer> unigrams;
        final Map<String, Integer> bigrams;
        final int unigramCount;
        final int bigramCount;

        Grams(List<String> tokens) {
            unigrams = new HashMap<>();
            bigrams = new HashMap<>();
            for (int i = 0; i < tokens.size(); i++) {
                unigrams.merge(tokens.get(i), 1, Integer::sum);
                if (i + 1 < tokens.size()) {
                    bigrams.merge(tokens.get(i) + ' ' + tokens.get(i + 1), 1, Integer::sum);
                }
            }
            unigramCount = tokens.size();
            bigramCount = Math.max(tokens.size() - 1, 0);
        }

        private Grams(Map<String, Integer> unigrams, Map<String, Integer> bigrams, int unigramCount, int bigramCount) {
            this.unigrams = unigrams;
            this.bigrams = bigrams;
            this.unigramCount = unigramCount;
            this.bigramCount = bigramCount;
        }

        Grams plus(Grams other) {
            Map<String, Integer> uni = new HashMap<>(unigrams);
            other.unigrams.forEach((gram, count) -> uni.merge(gram, count, Integer::sum));
            Map<String, Integer> bi = new HashMap<>(bigrams);
            other.bigrams.forEach((gram, count) -> bi.merge(gram, count, Integer::sum));
            return new Grams(uni, bi, unigramCount + other.unigramCount, bigramCount + other.bigramCount);
        }
    }
}
