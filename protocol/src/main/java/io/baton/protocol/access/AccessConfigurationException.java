package io.baton.protocol.access;

import io.baton.protocol.problems.BatonException;
import io.baton.protocol.problems.ProblemType;

/**
 * A service refuses to start with its access settings: it would listen beyond loopback without a
 * credential (no service token, no mutual TLS) and open access was not asked for, it was given a
 * credential and told to be open at once, or its address does not resolve. The message says what
 * is wrong, {@link #action()} what to set; {@link ServiceAccessFailureAnalyzer} shows both as
 * Spring Boot's start-up failure report.
 */
public final class AccessConfigurationException extends BatonException {

    private static final long serialVersionUID = 1L;

    private final String action;

    private AccessConfigurationException(String message, String action, Throwable cause) {
        super(message, cause);
        this.action = action;
    }

    /** {@code service} would listen on {@code where} (not a loopback address) without a credential. */
    static AccessConfigurationException unprotected(String service, String where) {
        return new AccessConfigurationException("the " + service + " would listen on " + where
                + " without a credential, so anybody who reaches it could read and write any tenant's documents",
                "Set a service token shared by the services (baton.service-token, BATON_SERVICE_TOKEN=<openssl rand "
                        + "-hex 32>) or mutual TLS (server.ssl.bundle with server.ssl.client-auth=need), bind the service "
                        + "to a loopback address (SERVER_ADDRESS=127.0.0.1), or allow open access explicitly with "
                        + "baton.access.open=true (BATON_ACCESS_OPEN=true) where something in front of it authenticates "
                        + "callers. docs/protocol.md, \"Service credentials\", says how.", null);
    }

    /** {@code service} was given {@code credential} and {@code baton.access.open=true} at once. */
    static AccessConfigurationException contradictory(String service, String credential) {
        return new AccessConfigurationException("baton.access.open=true and a credential (" + credential + ") are both "
                + "configured for the " + service, "Remove baton.access.open (BATON_ACCESS_OPEN) to require the "
                + "credential, or remove the credential to run open.", null);
    }

    /** {@code server.address} does not resolve. */
    static AccessConfigurationException unresolvable(String address, Throwable cause) {
        return new AccessConfigurationException("server.address '" + address + "' does not resolve",
                "Correct server.address (SERVER_ADDRESS).", cause);
    }

    /** What to set so that the service starts. */
    public String action() {
        return action;
    }

    @Override
    public ProblemType type() {
        return ProblemType.INVALID_CONFIGURATION;
    }
}
