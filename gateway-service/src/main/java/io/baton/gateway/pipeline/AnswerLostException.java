package io.baton.gateway.pipeline;

import io.baton.gateway.GatewayException;
import io.baton.protocol.BatonHeaders;
import io.baton.protocol.problems.ProblemType;
import java.util.Map;

/**
 * A segment this run needs the answer of was stored by an earlier attempt whose answer never
 * arrived, and inference refused to run it again (409 {@code document-conflict}): a summary
 * cannot be built without every segment's sentence vectors. The request may be sent again; its
 * new run starts a document of its own.
 */
public final class AnswerLostException extends GatewayException {

    private static final long serialVersionUID = 1L;

    private final long segment;
    private final long expected;

    public AnswerLostException(String document, long segment, long expected) {
        super("segment " + segment + " of document " + document + " was stored by an earlier attempt whose answer "
                + "was lost (the document now expects segment " + expected + "), and this request needs every "
                + "segment's answer; send it again");
        this.segment = segment;
        this.expected = expected;
    }

    @Override
    public ProblemType type() {
        return ProblemType.DOCUMENT_CONFLICT;
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of("segment", segment, BatonHeaders.EXPECTED_SEGMENT, expected);
    }
}
