package io.baton.inference.models;

import io.baton.inference.InferenceException;
import io.baton.protocol.problems.ProblemType;
import java.util.Collection;

/** A request names a model that is not loaded (HTTP 404); the message lists the loaded ones. */
public final class UnknownModelException extends InferenceException {

    private static final long serialVersionUID = 1L;

    public UnknownModelException(String id, Collection<String> known) {
        super("unknown model '" + id + "'; the loaded models are: " + String.join(", ", known));
    }

    @Override
    public ProblemType type() {
        return ProblemType.UNKNOWN_MODEL;
    }
}
