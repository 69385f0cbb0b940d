package io.baton.memory.store;

import io.baton.memory.MemoryException;
import io.baton.protocol.problems.ProblemType;

/**
 * A put of segment n that named the digest of the checkpoint n-1 it was computed from, where the
 * kept checkpoint n-1 has another digest (HTTP 412): the writer continued from a state it had kept
 * itself, and the document has changed since (deleted and written again under the same id, or
 * continued by another writer from another state). Nothing is stored; the writer reads checkpoint
 * n-1 and computes n again.
 */
public final class ParentMismatchException extends MemoryException {

    private static final long serialVersionUID = 1L;

    private final long segment;

    public ParentMismatchException(DocumentKey key, long segment, String expectedParent) {
        super("checkpoint " + segment + " of document " + key.document() + " was computed from a checkpoint "
                + (segment - 1) + " with digest " + expectedParent + ", which is not the one kept; read checkpoint "
                + (segment - 1) + " and compute checkpoint " + segment + " again");
        this.segment = segment;
    }

    /** The segment the client tried to write. */
    public long segment() {
        return segment;
    }

    @Override
    public ProblemType type() {
        return ProblemType.PARENT_MISMATCH;
    }
}
