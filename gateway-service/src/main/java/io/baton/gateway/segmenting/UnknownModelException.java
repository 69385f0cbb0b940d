package io.baton.gateway.segmenting;

import io.baton.gateway.GatewayException;
import io.baton.protocol.problems.ProblemType;

/** A request names a model that has no folder (with a {@code tokenizer.json}) here (404). */
public final class UnknownModelException extends GatewayException {

    private static final long serialVersionUID = 1L;

    public UnknownModelException(String message) {
        super(message);
    }

    @Override
    public ProblemType type() {
        return ProblemType.UNKNOWN_MODEL;
    }
}
