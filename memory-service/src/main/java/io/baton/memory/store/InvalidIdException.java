package io.baton.memory.store;

import io.baton.memory.MemoryException;
import io.baton.protocol.problems.ProblemType;

/** A tenant or document id that does not match its pattern (HTTP 400). */
public final class InvalidIdException extends MemoryException {

    private static final long serialVersionUID = 1L;

    public InvalidIdException(String what, String value, String pattern) {
        super(what + " id " + (value == null ? "is missing" : "'" + abbreviate(value) + "' is malformed")
                + ": it must match " + pattern);
    }

    private static String abbreviate(String value) {
        return value.length() <= 80 ? value : value.substring(0, 77) + "...";
    }

    @Override
    public ProblemType type() {
        return ProblemType.INVALID_ID;
    }
}
