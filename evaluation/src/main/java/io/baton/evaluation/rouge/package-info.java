/**
 * ROUGE-1/2/L/Lsum compatible with Google's rouge-score (tokenisation, NLTK's Porter stemmer,
 * summary-level LCS, the best of several references), as defined in
 * {@code data/eval/rouge/ROUGE_DEFINITION.md} and checked against its test vectors.
 */
package io.baton.evaluation.rouge;
