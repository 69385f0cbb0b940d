package io.baton.evaluation;

/**
 * What the evaluation tools report on purpose: a bad option, missing data, a summarization API
 * that failed. The runners print the message and exit with status 2 (bad use) or 1. A command-line
 * tool's failure, not a service's problem: its {@link #type()} is no entry of the problem catalogue.
 */
public class EvaluationException extends RuntimeException {

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

    /** What went wrong: {@code bad-option}, {@code data-missing}, {@code summary-failed}. */
    public String type() {
        return type;
    }
}
