package io.baton.gateway.jobs;

import io.baton.gateway.GatewayException;
import io.baton.protocol.problems.ProblemType;
import java.util.Map;

/**
 * A submitted job is malformed (400 {@code invalid-job-request}): a line that is not a JSON
 * object, a request without a {@code customId} or {@code text} string, a repeated {@code customId},
 * too many requests. {@code line} names the line of an NDJSON body (from 1), or the request's
 * position in a JSON body's {@code requests} (from 1); 0 for the body as a whole.
 */
public final class InvalidJobRequestException extends GatewayException {

    private static final long serialVersionUID = 1L;

    private final int line;

    public InvalidJobRequestException(int line, String message) {
        super(line > 0 ? "line " + line + ": " + message : message);
        this.line = line;
    }

    @Override
    public ProblemType type() {
        return ProblemType.INVALID_JOB_REQUEST;
    }

    @Override
    public Map<String, Object> properties() {
        return line > 0 ? Map.of("line", line) : Map.of();
    }
}
