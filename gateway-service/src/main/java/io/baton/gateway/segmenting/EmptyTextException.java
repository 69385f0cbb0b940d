package io.baton.gateway.segmenting;

import io.baton.gateway.GatewayException;
import io.baton.protocol.problems.ProblemType;

/** A text to process (a summary's, a document's) is empty or only whitespace (400). */
public final class EmptyTextException extends GatewayException {

    private static final long serialVersionUID = 1L;

    public EmptyTextException() {
        super("the text is empty or only whitespace; there is nothing to process");
    }

    @Override
    public ProblemType type() {
        return ProblemType.EMPTY_TEXT;
    }
}
