/**
 * The gateway-service application: the public API: tokenizing, sentence-aware segmenting, one ordered pipeline per document, summaries and jobs.
 *
 * <p>Capabilities live in sub-packages, one each.
 */
package io.baton.gateway;
