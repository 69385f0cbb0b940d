package io.baton.memory.store;

import io.baton.memory.MemoryException;
import io.baton.protocol.problems.ProblemType;

/** A checkpoint of another model (id or digest) than the document's (HTTP 409). */
public final class ModelMismatchException extends MemoryException {

    private static final long serialVersionUID = 1L;

    private final transient Head head;

    public ModelMismatchException(DocumentKey key, String model, String digest, Head head) {
        super("document " + key.document() + " holds state of model " + head.model() + " (digest "
                + head.modelDigest() + "); a checkpoint of model " + model + " (digest " + digest
                + ") cannot continue it");
        this.head = head;
    }

    public Head head() {
        return head;
    }

    @Override
    public ProblemType type() {
        return ProblemType.MODEL_MISMATCH;
    }
}
