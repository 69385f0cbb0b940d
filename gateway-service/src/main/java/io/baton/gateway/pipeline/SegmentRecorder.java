package io.baton.gateway.pipeline;

import reactor.core.publisher.Mono;

/**
 * Keeps a segment's answer durably before the next segment of the document is sent, so that a run
 * interrupted anywhere can resume from the last recorded segment without an answer missing (a
 * batch job's request, {@code io.baton.gateway.jobs}). A failed recording fails the run.
 */
@FunctionalInterface
public interface SegmentRecorder {

    /** Records nothing: the run's consumer keeps its answers in memory. */
    SegmentRecorder NONE = result -> Mono.empty();

    /** Completes once {@code result} is recorded. */
    Mono<Void> record(SegmentResult result);
}
