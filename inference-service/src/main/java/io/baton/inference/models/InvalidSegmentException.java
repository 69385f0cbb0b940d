package io.baton.inference.models;

import io.baton.inference.InferenceException;

/** A segment the model cannot take (HTTP 400); {@link Reason} names which rule it broke. */
public final class InvalidSegmentException extends InferenceException {

    private static final long serialVersionUID = 1L;

    /** The rule a segment broke; each is its own problem type. */
    public enum Reason {
        EMPTY_SEGMENT("empty-segment"),
        SEGMENT_TOO_LONG("segment-too-long"),
        TOKEN_OUT_OF_VOCABULARY("token-out-of-vocabulary"),
        UNEQUAL_LENGTHS("unequal-segment-lengths"),
        INVALID_SENTENCE_SPAN("invalid-sentence-span");

        private final String type;

        Reason(String type) {
            this.type = type;
        }
    }

    private final Reason reason;

    public InvalidSegmentException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    @Override
    public String type() {
        return reason.type;
    }

    @Override
    public int status() {
        return 400;
    }
}
