package io.baton.inference.models;

import io.baton.inference.InferenceException;

/** ONNX Runtime itself could not be set up (native library, environment). */
public final class OnnxRuntimeException extends InferenceException {

    private static final long serialVersionUID = 1L;

    public OnnxRuntimeException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String type() {
        return "onnx-runtime";
    }

    @Override
    public int status() {
        return 503;
    }
}
