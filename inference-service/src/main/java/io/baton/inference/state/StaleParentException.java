package io.baton.inference.state;

import io.baton.inference.InferenceException;
import io.baton.protocol.problems.ProblemType;

/**
 * The memory service refused checkpoint n because the kept checkpoint n-1 is not the one this
 * instance computed n from (its copy of the state is stale: the document was deleted and written
 * again, or continued elsewhere). Nothing was stored; the segment is computed again from the kept
 * checkpoint. Seen by a client only if that also fails this way (HTTP 409).
 */
public final class StaleParentException extends InferenceException {

    private static final long serialVersionUID = 1L;

    public StaleParentException(String message) {
        super(message);
    }

    @Override
    public ProblemType type() {
        return ProblemType.STALE_PARENT;
    }
}
