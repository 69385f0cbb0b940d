/**
 * Evaluation of summaries and of the models behind them, run as command-line tools (not a
 * service): {@link io.baton.evaluation.rouge} scores summaries as Google's rouge-score does,
 * {@link io.baton.evaluation.baselines} are the extractive baselines,
 * {@link io.baton.evaluation.runner} runs evaluation sets through the real summarization API
 * and the baselines, {@link io.baton.evaluation.bpb} measures bits per byte with the state
 * carried or reset. Methods, commands and numbers: {@code docs/quality.md}.
 */
package io.baton.evaluation;
