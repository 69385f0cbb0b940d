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
        return new FailureAnalysis(cause.getMessage(), cause.action(), cause);
    }
}
