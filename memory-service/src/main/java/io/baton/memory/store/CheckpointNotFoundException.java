package io.baton.memory.store;

import io.baton.memory.MemoryException;

/** The document exists but checkpoint n is not kept (never written, or retired) (HTTP 404). */
public final class CheckpointNotFoundException extends MemoryException {

    private static final long serialVersionUID = 1L;

    private final transient Head head;

    public CheckpointNotFoundException(DocumentKey key, long segment, Head head) {
        super("checkpoint " + segment + " of document " + key.document() + " is not kept; kept are "
                + head.oldest() + ".." + head.segment());
        this.head = head;
    }

    public Head head() {
        return head;
    }

    @Override
    public String type() {
        return "checkpoint-not-found";
    }

    @Override
    public int status() {
        return 404;
    }
}
