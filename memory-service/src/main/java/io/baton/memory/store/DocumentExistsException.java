package io.baton.memory.store;

import io.baton.memory.MemoryException;
import io.baton.protocol.problems.ProblemType;

/** The target of a fork already exists (HTTP 409). */
public final class DocumentExistsException extends MemoryException {

    private static final long serialVersionUID = 1L;

    public DocumentExistsException(DocumentKey key) {
        super("document " + key.document() + " already exists");
    }

    @Override
    public ProblemType type() {
        return ProblemType.DOCUMENT_EXISTS;
    }
}
