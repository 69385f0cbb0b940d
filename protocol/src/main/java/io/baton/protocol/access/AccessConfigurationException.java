package io.baton.protocol.access;

import io.baton.protocol.BatonException;
import io.baton.protocol.problems.ProblemType;

/**
 * A service refuses to start with its access settings: it would listen beyond loopback without a
 * credential (no service token, no mutual TLS) and open access was not asked for, or it was given
 * a credential and told to be open at once. The message names the settings that would do;
 * {@link ServiceAccessFailureAnalyzer} shows it as Spring Boot's start-up failure report.
 */
public final class AccessConfigurationException extends BatonException {

    private static final long serialVersionUID = 1L;

    public AccessConfigurationException(String message) {
        super(message);
    }

    public AccessConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ProblemType type() {
        return ProblemType.INVALID_CONFIGURATION;
    }
}
