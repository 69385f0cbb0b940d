package io.baton.common.state;

import io.baton.protocol.problems.BatonException;
import io.baton.protocol.problems.ProblemType;

/**
 * A state container that does not follow the safetensors format, or a tensor whose bytes do not
 * match its shape. {@link #reason()} says which rule was broken.
 */
public final class StateFormatException extends BatonException {

    private static final long serialVersionUID = 1L;

    /** Which rule of the format a container broke. */
    public enum Reason {
        /** Fewer bytes than the 8-byte header length. */
        TRUNCATED,
        /** The header length is negative as a signed 64-bit value, or reaches past the input. */
        HEADER_LENGTH,
        /** The header is longer than the reader allows. */
        HEADER_TOO_LARGE,
        /** The header is not UTF-8 JSON of the expected structure and field types. */
        MALFORMED_HEADER,
        /** A tensor's dtype is not a known {@link DType}. */
        UNKNOWN_DTYPE,
        /** A shape with a negative dimension, or bytes that are not product(shape) elements. */
        SHAPE_MISMATCH,
        /** Data offsets reversed, out of range, overlapping, or leaving bytes unindexed. */
        OFFSETS
    }

    private final Reason reason;

    StateFormatException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    StateFormatException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** The rule that was broken. */
    public Reason reason() {
        return reason;
    }

    @Override
    public ProblemType type() {
        return ProblemType.STATE_FORMAT;
    }

    @Override
    public java.util.Map<String, Object> properties() {
        return java.util.Map.of("reason", reason.name());
    }
}
