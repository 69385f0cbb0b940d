package io.baton.inference.state;

import io.baton.inference.InferenceException;

/** A stored checkpoint that cannot continue with this model (another model, another plan) (HTTP 409). */
public final class StateMismatchException extends InferenceException {

    private static final long serialVersionUID = 1L;

    public StateMismatchException(String message) {
        super(message);
    }

    @Override
    public String type() {
        return "state-mismatch";
    }

    @Override
    public int status() {
        return 409;
    }
}
