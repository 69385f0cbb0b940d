package io.baton.memory.store;

import io.baton.memory.MemoryException;
import io.baton.protocol.problems.ProblemType;

/**
 * A delete on condition that the document's head checkpoint has a given digest, where it has
 * another (HTTP 412 {@code parent-mismatch}): the document moved on, or was deleted and written
 * again, since the caller stored the checkpoint it named, so it is not the caller's to delete.
 * Nothing is deleted.
 */
public final class HeadMismatchException extends MemoryException {

    private static final long serialVersionUID = 1L;

    private final Head head;

    public HeadMismatchException(DocumentKey key, String expectedDigest, Head head) {
        super("document " + key.document() + " was not deleted: its head checkpoint " + head.segment()
                + " is not the one with digest " + expectedDigest + " named in If-Match");
        this.head = head;
    }

    /** The document's head as the delete found it. */
    public Head head() {
        return head;
    }

    @Override
    public ProblemType type() {
        return ProblemType.PARENT_MISMATCH;
    }
}
