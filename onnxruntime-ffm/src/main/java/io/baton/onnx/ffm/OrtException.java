package io.baton.onnx.ffm;

/**
 * A failed ONNX Runtime C API call: the {@code OrtStatus} it returned, as ONNX Runtime's error code and message,
 * or a misuse this module detects before calling (a closed object, a shape that does not fit).
 */
public class OrtException extends RuntimeException {

    /** {@code OrtErrorCode} of the status; -1 when the failure was detected in Java. */
    private final int code;

    public OrtException(int code, String message) {
        super(message);
        this.code = code;
    }

    public OrtException(String message) {
        this(-1, message);
    }

    public OrtException(String message, Throwable cause) {
        super(message, cause);
        this.code = -1;
    }

    /** ONNX Runtime's {@code OrtErrorCode} (2 = invalid argument, 3 = no such file, ...), or -1. */
    public int code() {
        return code;
    }
}
