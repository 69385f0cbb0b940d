package io.baton.inference.state;

import io.baton.inference.InferenceException;
import io.baton.protocol.problems.ProblemType;

/** A stored checkpoint that cannot continue with this model (another model, another plan) (HTTP 409). */
public final class StateMismatchException extends InferenceException {

    private static final long serialVersionUID = 1L;

    public StateMismatchException(String message) {
        super(message);
    }

    @Override
    public ProblemType type() {
        return ProblemType.STATE_MISMATCH;
    }
}
