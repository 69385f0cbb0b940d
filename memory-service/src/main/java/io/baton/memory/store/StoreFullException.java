package io.baton.memory.store;

import io.baton.memory.MemoryException;
import io.baton.protocol.problems.ProblemType;

/**
 * A bounded store (the in-memory one) cannot hold the document even after evicting every other
 * document (HTTP 507, as in RFC 4331). Nothing was changed.
 */
public final class StoreFullException extends MemoryException {

    private static final long serialVersionUID = 1L;

    public StoreFullException(DocumentKey key, long documentBytes, long capacity) {
        super("document " + key.document() + " would need " + documentBytes
                + " bytes, more than the store holds in all (" + capacity + " bytes)");
    }

    @Override
    public ProblemType type() {
        return ProblemType.STORE_FULL;
    }
}
