package io.baton.inference;

import io.baton.protocol.problems.BatonException;

/** Root of the failures the inference service reports on purpose; one subclass per kind. */
public abstract class InferenceException extends BatonException {

    private static final long serialVersionUID = 1L;

    protected InferenceException(String message) {
        super(message);
    }

    protected InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
