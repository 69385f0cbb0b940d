package io.baton.gateway.summarize;

/**
 * What extractive selection knows of one sentence of a document, for training a sentence selector
 * on it (issue 17, docs/quality.md): the same numbers {@link MmrSelector} computes when it picks.
 *
 * @param start     the sentence's first character in the document, without surrounding whitespace
 * @param end       one past its last character
 * @param words     its words (runs of non-whitespace)
 * @param zModel    its model vector's cosine to the document's model centroid, standardised over
 *                  the document's sentences
 * @param zLexical  its term vector's cosine to the term centroid, standardised
 * @param zLength   ln words, standardised
 * @param relevance the mix of the three the gateway's settings make (its relevance when it picks)
 * @param centred   its model vector minus the document's mean vector, as a unit vector (what MMR
 *                  compares sentences by)
 */
public record SentenceFeatures(int start, int end, int words, double zModel, double zLexical, double zLength,
                               double relevance, double[] centred) {
}
