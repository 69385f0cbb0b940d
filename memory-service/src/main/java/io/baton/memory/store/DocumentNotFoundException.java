package io.baton.memory.store;

import io.baton.memory.MemoryException;
import io.baton.protocol.problems.ProblemType;

/** No such document for this tenant (HTTP 404); also what another tenant's document looks like. */
public final class DocumentNotFoundException extends MemoryException {

    private static final long serialVersionUID = 1L;

    public DocumentNotFoundException(DocumentKey key) {
        super("document " + key.document() + " not found");
    }

    @Override
    public ProblemType type() {
        return ProblemType.DOCUMENT_NOT_FOUND;
    }
}
