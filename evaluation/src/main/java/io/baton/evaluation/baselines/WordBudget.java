package io.baton.evaluation.baselines;

import java.util.ArrayList;
import java.util.List;

/**
 * The length rule every method is held to, the same one {@code POST /v1/summaries} applies to
 * {@code "words": N}: walk the sentences in the method's order of preference; add a sentence
 * while the words picked stay within N (the first pick is always added, however long); skip one
 * that would overflow and try the next; stop once N words are reached. Sentences of fewer than
 * {@code minWords} words (headings) are considered only after all longer ones, as sentences
 * under the gateway's {@code baton.summaries.min-words} are. The summary lists the picks in
 * document order.
 */
public final class WordBudget {

    /**
     * The baselines' threshold: 4 words, the gateway's {@code min-words} when the baselines were
     * fixed; the gateway's own default is now 12, part of its tuned selection (docs/quality.md).
     */
    public static final int DEFAULT_MIN_WORDS = 4;

    private final int words;
    private final int minWords;

    public WordBudget(int words, int minWords) {
        if (words < 1 || minWords < 0) {
            throw new IllegalArgumentException("words must be positive and minWords not negative: " + words + ", "
                    + minWords);
        }
        this.words = words;
        this.minWords = minWords;
    }

    public int words() {
        return words;
    }

    /** The picked sentences, in document order. */
    public List<DocumentSentences.Sentence> pick(List<DocumentSentences.Sentence> sentences, int[] order) {
        boolean[] picked = new boolean[sentences.size()];
        int total = 0;
        int count = 0;
        for (boolean shortOnes : new boolean[] {false, true}) {
            for (int index : order) {
                DocumentSentences.Sentence s = sentences.get(index);
                if ((s.words() < minWords) != shortOnes || total >= words) {
                    continue;
                }
                if (count > 0 && total + s.words() > words) {
                    continue;
                }
                picked[index] = true;
                total += s.words();
                count++;
            }
        }
        List<DocumentSentences.Sentence> out = new ArrayList<>();
        for (int i = 0; i < picked.length; i++) {
            if (picked[i]) {
                out.add(sentences.get(i));
            }
        }
        return out;
    }
}
