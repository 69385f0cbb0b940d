package io.baton.gateway.inference;

import io.baton.gateway.GatewayException;
import java.util.Map;

/**
 * Inference refused a segment because the document is elsewhere (409): another writer stored
 * that index first ({@code checkpoint-conflict}) or the previous checkpoint is missing ({@code
 * segment-gap}). {@link #expected()} is the index the document expects next.
 */
public final class SegmentConflictException extends GatewayException {

    private static final long serialVersionUID = 1L;

    private final String type;
    private final long expected;

    public SegmentConflictException(String type, String message, long expected) {
        super(message);
        this.type = type;
        this.expected = expected;
    }

    /** The index the document expects next. */
    public long expected() {
        return expected;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public int status() {
        return 409;
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of("expectedSegment", expected);
    }
}
