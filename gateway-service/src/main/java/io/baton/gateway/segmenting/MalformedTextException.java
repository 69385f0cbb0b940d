package io.baton.gateway.segmenting;

import io.baton.gateway.GatewayException;
import io.baton.protocol.problems.ProblemType;

/**
 * A text holds a UTF-16 surrogate without its partner, so it is not Unicode text: it has no UTF-8
 * form, and tokenising it would silently replace the character. Refused instead.
 */
public final class MalformedTextException extends GatewayException {

    private static final long serialVersionUID = 1L;

    public MalformedTextException(String message) {
        super(message);
    }

    @Override
    public ProblemType type() {
        return ProblemType.MALFORMED_TEXT;
    }
}
