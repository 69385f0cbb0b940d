/**
 * Summaries ({@code POST /v1/summaries}): a text runs through the document pipeline under a fresh
 * document id, its per-sentence vectors are gathered ({@link io.baton.gateway.summarize.SentenceTable})
 * into a bounded pool of candidates with whole-document statistics
 * ({@link io.baton.gateway.summarize.CandidatePool}, {@link io.baton.gateway.summarize.DocumentStatistics}),
 * and extractive selection picks sentences by their closeness to the whole document in the model's
 * vectors and in their words ({@link io.baton.gateway.summarize.TermVector}) with maximal marginal
 * relevance over centred model vectors ({@link io.baton.gateway.summarize.MmrSelector}), given
 * back in document order. The same run without the picking gives each sentence's
 * {@link io.baton.gateway.summarize.SentenceFeatures}, what a learned selector trains on.
 */
package io.baton.gateway.summarize;
