package io.baton.gateway.summarize;

import io.baton.gateway.GatewayException;
import io.baton.protocol.problems.ProblemType;

/**
 * The model gives no sentence vectors (a hub export without {@code last_hidden_state}), so
 * extractive selection cannot run (422).
 */
public final class NoSentenceVectorsException extends GatewayException {

    private static final long serialVersionUID = 1L;

    public NoSentenceVectorsException(String model) {
        super("model '" + model + "' gives no sentence vectors (no last_hidden_state output); "
                + "extractive summaries need them");
    }

    @Override
    public ProblemType type() {
        return ProblemType.NO_SENTENCE_VECTORS;
    }
}
