/**
 * Extractive baselines (lead, seeded random, TextRank over TF-IDF) that pick from the gateway's
 * sentences under the same word budget as {@code POST /v1/summaries}.
 */
package io.baton.evaluation.baselines;
