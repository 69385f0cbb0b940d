package io.baton.inference;

import io.baton.protocol.problems.ProblemType;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a failure of the service's own at start-up (a wrong setting, a model folder that breaks
 * the contract) into Spring Boot's "APPLICATION FAILED TO START" report with our message and what
 * to do, instead of a chain of bean-creation exceptions.
 */
public class StartupFailureAnalyzer extends AbstractFailureAnalyzer<InferenceException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InferenceException cause) {
        String action = cause.type() == ProblemType.MODEL_CONTRACT
                ? "Fix or remove the model folder named above (docs/model-contract.md says what a model folder holds)."
                : "Correct the setting named above (InferenceProperties lists every setting and its default).";
        return new FailureAnalysis(cause.getMessage(), action, cause);
    }
}
