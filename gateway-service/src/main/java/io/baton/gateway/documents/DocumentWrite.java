package io.baton.gateway.documents;

import java.util.List;

/**
 * The answer to an ingest or an append: the document afterwards, the segments this call wrote
 * and how long it took.
 *
 * @param document the document after the call
 * @param written  the segments of this call, in order
 * @param stats    this call's totals
 */
public record DocumentWrite(DocumentView document, List<Written> written, Stats stats) {

    /**
     * One segment a call wrote. Character offsets are UTF-16 indices into this call's text:
     * cutting a text at the {@code end} of one of its segments and appending the rest gives the
     * same segments, hence bit-identical state, as one ingest.
     *
     * @param index       the segment's number in the document
     * @param start       its first character in the call's text
     * @param end         the character after its last one
     * @param tokenOffset the document's tokens before it
     * @param tokens      its tokens
     */
    public record Written(long index, long start, long end, long tokenOffset, int tokens) {
    }

    /**
     * @param tokens          tokens this call wrote
     * @param segments        segments this call wrote
     * @param ms              milliseconds from the request to the answer
     * @param tokensPerSecond tokens per second over that time
     */
    public record Stats(long tokens, long segments, long ms, double tokensPerSecond) {
    }
}
