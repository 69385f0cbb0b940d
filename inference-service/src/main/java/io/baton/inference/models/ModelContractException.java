package io.baton.inference.models;

import io.baton.inference.InferenceException;
import io.baton.protocol.problems.ProblemType;

/** A model folder that does not follow the model contract; the message names what is wrong. */
public final class ModelContractException extends InferenceException {

    private static final long serialVersionUID = 1L;

    public ModelContractException(String message) {
        super(message);
    }

    public ModelContractException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ProblemType type() {
        return ProblemType.MODEL_CONTRACT;
    }
}
