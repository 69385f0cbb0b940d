package io.baton.gateway.segmenting;

import io.baton.gateway.GatewayException;
import io.baton.protocol.problems.ProblemType;
import java.io.IOException;

/** Reading a document's text failed while it was being split or segmented. */
public final class TextReadException extends GatewayException {

    private static final long serialVersionUID = 1L;

    public TextReadException(IOException cause) {
        super("reading the text failed: " + cause.getMessage(), cause);
    }

    @Override
    public ProblemType type() {
        return ProblemType.TEXT_READ;
    }
}
