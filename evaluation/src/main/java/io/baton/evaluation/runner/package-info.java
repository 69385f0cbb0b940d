/**
 * The quality runner: evaluation sets (SQuALITY dev, QMSum val) through the summarization API
 * over HTTP and through the baselines and the oracle at one word budget, ROUGE per method and
 * set, tables to stdout and {@code bench/out}; and the oracle's labels of the training sets
 * (SQuALITY train, QMSum train) for a learned selector.
 */
package io.baton.evaluation.runner;
