package io.baton.evaluation.baselines;

import java.util.List;
import java.util.stream.IntStream;

/** Lead-k: the document's first sentences, in order. */
public final class LeadRanker implements Ranker {

    @Override
    public String name() {
        return "lead";
    }

    @Override
    public int[] rank(List<DocumentSentences.Sentence> sentences) {
        return IntStream.range(0, sentences.size()).toArray();
    }
}
