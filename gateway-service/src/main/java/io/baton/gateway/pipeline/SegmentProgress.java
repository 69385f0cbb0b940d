package io.baton.gateway.pipeline;

/**
 * Where a document's run is after one segment.
 *
 * @param document        the document id
 * @param segment         segments done, this one included (k of "k of n")
 * @param segments        the number of segments: an estimate from the characters done while the
 *                        text goes on ({@code estimated}), at least {@code segment}
 * @param estimated       whether {@code segments} is an estimate
 * @param tokens          tokens done, this segment's included
 * @param chars           characters done
 * @param totalChars      the document's characters (0 when unknown)
 * @param elapsedMs       milliseconds since the run started
 * @param tokensPerSecond tokens done per second of the run so far
 */
public record SegmentProgress(String document, long segment, long segments, boolean estimated, long tokens,
                              long chars, long totalChars, long elapsedMs, double tokensPerSecond) {

    /** Done fraction by characters (0..1), or by segments when the length is unknown. */
    public double fraction() {
        if (totalChars > 0) {
            return Math.min(1.0, (double) chars / totalChars);
        }
        return segments == 0 ? 0 : Math.min(1.0, (double) segment / segments);
    }
}
