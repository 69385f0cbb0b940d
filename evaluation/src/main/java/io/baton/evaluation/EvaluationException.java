package io.baton.evaluation;

import io.baton.common.BatonException;

/**
 * What the evaluation tools report on purpose: a bad option, missing data, a summarization API
 * that failed. The runners print the message and exit with status 2 (bad use) or 1.
 */
public class EvaluationException extends BatonException {

    private static final long serialVersionUID = 1L;

    private final String type;

    public EvaluationException(String type, String message) {
        super(message);
        this.type = type;
    }

    public EvaluationException(String type, String message, Throwable cause) {
        super(message, cause);
        this.type = type;
    }

    @Override
    public String type() {
        return type;
    }
}
