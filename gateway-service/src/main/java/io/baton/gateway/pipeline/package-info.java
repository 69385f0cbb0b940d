/**
 * One ordered pipeline per document ({@link io.baton.gateway.pipeline.DocumentPipeline}): the
 * document's segments go to inference strictly one after another, documents run concurrently up
 * to a bound ({@link io.baton.gateway.pipeline.DocumentGate}), a segment the document already
 * holds is never applied again, and cancelling the subscription stops the work.
 */
package io.baton.gateway.pipeline;
