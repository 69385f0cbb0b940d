package io.baton.evaluation.baselines;

import java.util.List;

/** A baseline: orders a document's sentences by preference; {@link WordBudget} picks from the order. */
public interface Ranker {

    /** A short name for tables, e.g. {@code lead}. */
    String name();

    /** The indices of {@code sentences}, most preferred first; each exactly once. */
    int[] rank(List<DocumentSentences.Sentence> sentences);
}
