package io.baton.inference.state;

import io.baton.inference.InferenceException;

/** The memory service refused a request the inference service made (HTTP 502): a bug between the two. */
public final class MemoryRejectedException extends InferenceException {

    private static final long serialVersionUID = 1L;

    public MemoryRejectedException(String message) {
        super(message);
    }

    @Override
    public String type() {
        return "memory-rejected";
    }

    @Override
    public int status() {
        return 502;
    }
}
