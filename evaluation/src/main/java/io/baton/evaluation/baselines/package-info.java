/**
 * Extractive baselines (lead, seeded random, TextRank over TF-IDF) that pick from the gateway's
 * sentences under the same word budget as {@code POST /v1/summaries}, and the greedy ROUGE oracle,
 * which reads the references: the ceiling of such picking and a learned selector's labels.
 */
package io.baton.evaluation.baselines;
