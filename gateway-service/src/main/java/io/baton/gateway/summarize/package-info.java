/**
 * Summaries ({@code POST /v1/summaries}): a text runs through the document pipeline under a fresh
 * document id, its per-sentence vectors are gathered ({@link io.baton.gateway.summarize.SentenceTable}),
 * and extractive selection picks sentences by centroid similarity with maximal marginal relevance
 * ({@link io.baton.gateway.summarize.MmrSelector}), given back in document order.
 */
package io.baton.gateway.summarize;
