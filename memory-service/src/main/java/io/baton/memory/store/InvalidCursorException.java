package io.baton.memory.store;

import io.baton.memory.MemoryException;
import io.baton.protocol.problems.ProblemType;

/** A list cursor that this store did not hand out (HTTP 400). */
public final class InvalidCursorException extends MemoryException {

    private static final long serialVersionUID = 1L;

    public InvalidCursorException(String cursor) {
        super("list cursor '" + (cursor.length() <= 80 ? cursor : cursor.substring(0, 77) + "...")
                + "' is not valid: pass the 'next' value of the previous page, or none for the first page");
    }

    @Override
    public ProblemType type() {
        return ProblemType.INVALID_CURSOR;
    }
}
