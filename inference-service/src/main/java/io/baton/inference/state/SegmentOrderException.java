package io.baton.inference.state;

import io.baton.inference.InferenceException;

/**
 * A segment out of order (HTTP 409): its index skips ahead of the document's stored head
 * ({@code segment-gap}), or another writer stored that index first ({@code checkpoint-conflict}).
 * Names the index the document expects next.
 */
public final class SegmentOrderException extends InferenceException {

    private static final long serialVersionUID = 1L;

    private final String type;
    private final long expected;

    private SegmentOrderException(String type, String message, long expected) {
        super(message);
        this.type = type;
        this.expected = expected;
    }

    /** Segment n was sent, but checkpoint n-1 is not stored: the document expects {@code expected}. */
    public static SegmentOrderException gap(String document, long segment, long expected) {
        return new SegmentOrderException("segment-gap", "segment " + segment + " of document " + document
                + " cannot run: the document's next segment is " + expected, expected);
    }

    /** Checkpoint n could not be stored because the head moved: another writer was first. */
    public static SegmentOrderException conflict(String document, long segment, long expected) {
        return new SegmentOrderException("checkpoint-conflict", "segment " + segment + " of document " + document
                + " was stored by another writer first; the document's next segment is " + expected, expected);
    }

    /** The index the document expects next. */
    public long expected() {
        return expected;
    }

    @Override
    public java.util.Map<String, Object> properties() {
        return java.util.Map.of("expectedSegment", expected);
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public int status() {
        return 409;
    }
}
