package io.baton.inference.runtime;

import io.baton.inference.InferenceException;
import io.baton.protocol.problems.ProblemType;

/**
 * ONNX Runtime itself could not be set up (native library, environment), or a model run failed
 * with an {@link Error} (e.g. out of memory on a large batch): retryable, the model is sound.
 */
public final class OnnxRuntimeException extends InferenceException {

    private static final long serialVersionUID = 1L;

    public OnnxRuntimeException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ProblemType type() {
        return ProblemType.ONNX_RUNTIME;
    }
}
