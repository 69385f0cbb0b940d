package io.baton.inference.generation;

import io.baton.inference.InferenceException;

/** The document has no stored checkpoint to generate from (HTTP 404). */
public final class CheckpointNotFoundException extends InferenceException {

    private static final long serialVersionUID = 1L;

    public CheckpointNotFoundException(String message) {
        super(message);
    }

    @Override
    public String type() {
        return "checkpoint-not-found";
    }

    @Override
    public int status() {
        return 404;
    }
}
