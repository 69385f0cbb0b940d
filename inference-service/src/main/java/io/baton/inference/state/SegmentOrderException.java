package io.baton.inference.state;

import io.baton.inference.InferenceException;
import io.baton.protocol.BatonHeaders;
import io.baton.protocol.problems.ProblemType;

/**
 * A segment out of order (HTTP 409): its index skips ahead of the document's stored head
 * ({@code segment-gap}), or another writer stored that index first ({@code checkpoint-conflict}).
 * Names the index the document expects next.
 */
public final class SegmentOrderException extends InferenceException {

    private static final long serialVersionUID = 1L;

    private final ProblemType type;
    private final long expected;

    private SegmentOrderException(ProblemType type, String message, long expected) {
        super(message);
        this.type = type;
        this.expected = expected;
    }

    /** Segment n was sent, but checkpoint n-1 is not stored: the document expects {@code expected}. */
    public static SegmentOrderException gap(String document, long segment, long expected) {
        return new SegmentOrderException(ProblemType.SEGMENT_GAP, "segment " + segment + " of document " + document
                + " cannot run: the document's next segment is " + expected, expected);
    }

    /** Checkpoint n could not be stored because the head moved: another writer was first. */
    public static SegmentOrderException conflict(String document, long segment, long expected) {
        return new SegmentOrderException(ProblemType.CHECKPOINT_CONFLICT, "segment " + segment + " of document " + document
                + " was stored by another writer first; the document's next segment is " + expected, expected);
    }

    /** The index the document expects next. */
    public long expected() {
        return expected;
    }

    @Override
    public java.util.Map<String, Object> properties() {
        return java.util.Map.of(BatonHeaders.EXPECTED_SEGMENT, expected);
    }

    @Override
    public ProblemType type() {
        return type;
    }
}
