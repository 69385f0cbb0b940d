package io.baton.inference.generation;

import io.baton.inference.InferenceException;
import io.baton.protocol.problems.ProblemType;

/** The document has no stored checkpoint to generate from (HTTP 404). */
public final class CheckpointNotFoundException extends InferenceException {

    private static final long serialVersionUID = 1L;

    public CheckpointNotFoundException(String message) {
        super(message);
    }

    @Override
    public ProblemType type() {
        return ProblemType.CHECKPOINT_NOT_FOUND;
    }
}
