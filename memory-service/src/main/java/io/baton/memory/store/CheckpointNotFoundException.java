package io.baton.memory.store;

import io.baton.memory.MemoryException;
import io.baton.protocol.problems.ProblemType;
import java.util.Map;

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
    public ProblemType type() {
        return ProblemType.CHECKPOINT_NOT_FOUND;
    }

    @Override
    public Map<String, Object> properties() {
        return head == null ? Map.of() : Map.of("oldest", head.oldest(), "newest", head.segment());
    }
}
