package io.baton.inference;

import io.baton.common.BatonException;

/** Root of the failures the inference service reports on purpose; one subclass per kind. */
public abstract class InferenceException extends BatonException {

    private static final long serialVersionUID = 1L;

    protected InferenceException(String message) {
        super(message);
    }

    protected InferenceException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The HTTP status of the problem response. */
    public abstract int status();

    /** Extra members of the problem response (e.g. the segment index a document expects). */
    public java.util.Map<String, Object> properties() {
        return java.util.Map.of();
    }
}
