package io.baton.gateway;

import io.baton.protocol.problems.ProblemType;

/**
 * A request that asks for something contradictory, unknown or impossible beyond what Bean
 * Validation catches: both sentences and words, an unknown summary mode, a prompt with no tokens
 * (400 {@code invalid-request}, the type Bean Validation failures have too).
 */
public final class InvalidRequestException extends GatewayException {

    private static final long serialVersionUID = 1L;

    public InvalidRequestException(String message) {
        super(message);
    }

    @Override
    public ProblemType type() {
        return ProblemType.INVALID_REQUEST;
    }
}
