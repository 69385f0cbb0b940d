package io.baton.gateway.pipeline;

import io.baton.gateway.segmenting.Segment;
import io.baton.protocol.inference.SegmentResponse;

/**
 * A segment of a run: what inference answered, or nothing when the document already held it
 * (stored by an earlier run, so it was not applied again). Only a job that said it needs no
 * answers ({@link DocumentJob.OnStored#SKIP}) is ever given a result without one.
 *
 * @param segment  the segment
 * @param response inference's answer, or null when skipped (only for {@link DocumentJob.OnStored#SKIP})
 * @param progress where the run is after it
 */
public record SegmentResult(Segment segment, SegmentResponse response, SegmentProgress progress) {

    /** Whether the document already held this segment, so it was not sent again. */
    public boolean skipped() {
        return response == null;
    }
}
