package io.baton.protocol.access;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Shows a refused access configuration ({@link AccessConfigurationException}) as Spring Boot's
 * "APPLICATION FAILED TO START" report: what is wrong and what to set, instead of a chain of
 * bean-creation exceptions.
 */
public class ServiceAccessFailureAnalyzer extends AbstractFailureAnalyzer<AccessConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, AccessConfigurationException cause) {
        return new FailureAnalysis(cause.getMessage(), "Give the services a shared token (BATON_SERVICE_TOKEN, e.g. "
                + "from openssl rand -hex 32) or mutual TLS (server.ssl.bundle with server.ssl.client-auth=need), bind "
                + "the service to 127.0.0.1 (SERVER_ADDRESS), or set BATON_ACCESS_OPEN=true where something in front of "
                + "it authenticates callers. docs/protocol.md, \"Service credentials\", says how.", cause);
    }
}
