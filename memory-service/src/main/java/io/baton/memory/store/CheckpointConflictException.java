package io.baton.memory.store;

import io.baton.memory.MemoryException;
import io.baton.protocol.BatonHeaders;
import io.baton.protocol.problems.ProblemType;
import java.util.Map;

/**
 * A put of segment n where the head is not n-1 (and not an identical repeat): another writer got
 * there first, or the client skipped or repeated a segment (HTTP 409). Carries the current head
 * (null when the document has none) so that the client knows where to continue.
 */
public final class CheckpointConflictException extends MemoryException {

    private static final long serialVersionUID = 1L;

    private final transient Head head;
    private final long segment;

    public CheckpointConflictException(DocumentKey key, long segment, Head head) {
        super("checkpoint " + segment + " of document " + key.document() + " conflicts: "
                + (head == null ? "the document has no checkpoint, so the next one is 0"
                        : "the head is " + head.segment() + ", so the next checkpoint is " + (head.segment() + 1)
                        + (head.segment() >= segment ? " (a different checkpoint " + segment + " is already stored)" : "")));
        this.head = head;
        this.segment = segment;
    }

    /** The current head, or null when the document has none. */
    public Head head() {
        return head;
    }

    /** The segment the client tried to write. */
    public long segment() {
        return segment;
    }

    /** The segment the store would accept next. */
    public long expected() {
        return head == null ? 0 : head.segment() + 1;
    }

    @Override
    public ProblemType type() {
        return ProblemType.CHECKPOINT_CONFLICT;
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of("segment", segment, BatonHeaders.EXPECTED_SEGMENT, expected());
    }
}
