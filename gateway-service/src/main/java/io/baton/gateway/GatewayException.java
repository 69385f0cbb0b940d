package io.baton.gateway;

import io.baton.common.BatonException;
import java.util.Map;

/**
 * Root of the failures the gateway reports on purpose: each names its stable {@link #type()} and
 * the HTTP {@link #status()} of the problem detail it becomes ({@code ProblemDetailsAdvice}).
 */
public abstract class GatewayException extends BatonException {

    private static final long serialVersionUID = 1L;

    protected GatewayException(String message) {
        super(message);
    }

    protected GatewayException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The HTTP status of the problem response. */
    public abstract int status();

    /** Extra members of the problem response (e.g. the segment index a document expects). */
    public Map<String, Object> properties() {
        return Map.of();
    }
}
