package io.baton.inference;

import io.baton.protocol.problems.ProblemType;

/**
 * The service cannot start with its configuration (an unknown execution provider, a missing
 * default model, an empty models folder); the message names the setting and what would work.
 */
public final class InvalidConfigurationException extends InferenceException {

    private static final long serialVersionUID = 1L;

    public InvalidConfigurationException(String message) {
        super(message);
    }

    public InvalidConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ProblemType type() {
        return ProblemType.INVALID_CONFIGURATION;
    }
}
