package io.baton.gateway.pipeline;

import io.baton.gateway.GatewayException;
import io.baton.protocol.problems.ProblemType;
import java.util.Map;

/**
 * Another writer moved the document while a write that must apply all its segments was running
 * (409): inference stored segment n for someone else, or the document was deleted. The write
 * stopped at the segment named; the segments before it are stored.
 */
public final class DocumentConflictException extends GatewayException {

    private static final long serialVersionUID = 1L;

    private final long segment;
    private final long expected;

    public DocumentConflictException(String document, long segment, long expected) {
        super("document " + document + " changed while segment " + segment + " was written (it now expects segment "
                + expected + "); another writer got there first");
        this.segment = segment;
        this.expected = expected;
    }

    @Override
    public ProblemType type() {
        return ProblemType.DOCUMENT_CONFLICT;
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of("segment", segment, "expectedSegment", expected);
    }
}
