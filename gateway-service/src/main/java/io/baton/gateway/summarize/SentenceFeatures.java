package io.baton.gateway.summarize;

/**
 * What extractive selection knows of one sentence of a document, for training a sentence selector
 * on it (issue 17, docs/quality.md): the same numbers {@link MmrSelector} computes when it picks.
 *
 * @param start     the sentence's first character in the document, without surrounding whitespace
 * @param end       one past its last character
 * @param words     its words (runs of non-whitespace)
 * @param position  its first character over the document's length
 * @param zModel    its model vector's cosine to the document's model centroid, standardised over
 *                  the document's sentences
 * @param zLexical  its term vector's cosine to the term centroid, standardised
 * @param zLength   ln words, standardised
 * @param relevance its relevance when selection picks: the learned relevance where the model has
 *                  one and the settings use it ({@link LearnedRelevance}), else the mix of the three
 *                  standard scores the settings make
 * @param centred   its model vector minus the document's mean vector, as a unit vector (what MMR
 *                  compares sentences by)
 */
public record SentenceFeatures(int start, int end, int words, double position, double zModel, double zLexical, double zLength,
                               double relevance, double[] centred) {
}
