/**
 * The quality runner: evaluation sets (SQuALITY dev, QMSum val) through the summarization API
 * over HTTP and through the baselines at one word budget, ROUGE per method and set, tables to
 * stdout and {@code bench/out}.
 */
package io.baton.evaluation.runner;
