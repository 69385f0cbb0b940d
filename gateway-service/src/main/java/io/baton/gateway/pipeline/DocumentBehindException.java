package io.baton.gateway.pipeline;

import io.baton.gateway.GatewayException;
import io.baton.protocol.problems.ProblemType;
import java.util.Map;

/**
 * The stored document is behind the segment a run reached (its checkpoints were lost or deleted
 * meanwhile), so the run cannot go on without the earlier segments (409).
 */
public final class DocumentBehindException extends GatewayException {

    private static final long serialVersionUID = 1L;

    private final long expected;

    public DocumentBehindException(String document, long segment, long expected) {
        super("document " + document + " expects segment " + expected + " but the run is at segment " + segment
                + "; its stored state went back, run the document again");
        this.expected = expected;
    }

    @Override
    public ProblemType type() {
        return ProblemType.DOCUMENT_BEHIND;
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of("expectedSegment", expected);
    }
}
