package io.baton.inference.models;

import io.baton.inference.InferenceException;
import io.baton.protocol.problems.ProblemType;
import java.util.Map;

/** A segment the model cannot take (HTTP 400); {@link Reason} names which rule it broke. */
public final class InvalidSegmentException extends InferenceException {

    private static final long serialVersionUID = 1L;

    /** The rule a segment broke; each is its own problem type. */
    public enum Reason {
        EMPTY_SEGMENT(ProblemType.EMPTY_SEGMENT),
        SEGMENT_TOO_LONG(ProblemType.SEGMENT_TOO_LONG),
        TOKEN_OUT_OF_VOCABULARY(ProblemType.TOKEN_OUT_OF_VOCABULARY),
        UNEQUAL_LENGTHS(ProblemType.UNEQUAL_SEGMENT_LENGTHS),
        INVALID_SENTENCE_SPAN(ProblemType.INVALID_SENTENCE_SPAN);

        private final ProblemType type;

        Reason(ProblemType type) {
            this.type = type;
        }
    }

    private final Reason reason;
    private final Long limit;

    public InvalidSegmentException(Reason reason, String message) {
        this(reason, message, null);
    }

    /** A segment over a configured bound: the problem names the bound as its {@code limit} member. */
    public InvalidSegmentException(Reason reason, String message, Long limit) {
        super(message);
        this.reason = reason;
        this.limit = limit;
    }

    @Override
    public Map<String, Object> properties() {
        return limit == null ? Map.of() : Map.of("limit", limit);
    }

    public Reason reason() {
        return reason;
    }

    @Override
    public ProblemType type() {
        return reason.type;
    }
}
