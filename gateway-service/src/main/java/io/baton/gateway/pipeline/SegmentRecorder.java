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

    /**
     * The last segment whose answer was recorded before this run (-1: none): an answer is recorded
     * only once its segment is stored, so the document held segments 0 to this one. A run that
     * finds the document short of it reports the state lost ({@link StateLostException}).
     */
    default long recordedThrough() {
        return -1;
    }

    /** {@code recorder}, for a run that continues after the answers of segments 0 to {@code recordedThrough}. */
    static SegmentRecorder after(long recordedThrough, SegmentRecorder recorder) {
        return new SegmentRecorder() {
            @Override
            public Mono<Void> record(SegmentResult result) {
                return recorder.record(result);
            }

            @Override
            public long recordedThrough() {
                return recordedThrough;
            }
        };
    }
}
