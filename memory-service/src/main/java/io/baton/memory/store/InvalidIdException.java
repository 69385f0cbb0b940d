package io.baton.memory.store;

import io.baton.memory.MemoryException;

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
    public String type() {
        return "invalid-id";
    }

    @Override
    public int status() {
        return 400;
    }
}
