package io.baton.protocol.deadlines;

import io.baton.protocol.problems.BatonException;
import io.baton.protocol.problems.ProblemType;

/** Work dropped because its request's deadline passed before it ran ({@code deadline-exceeded}). */
public final class DeadlineExceededException extends BatonException {

    private static final long serialVersionUID = 1L;

    public DeadlineExceededException(String message) {
        super(message);
    }

    @Override
    public ProblemType type() {
        return ProblemType.DEADLINE_EXCEEDED;
    }
}
