package io.baton.gateway.access;

import io.baton.gateway.GatewayException;
import io.baton.protocol.problems.ProblemType;

/**
 * A request to {@code /v1/**} without a valid API key: 401, type {@code missing-api-key} (no
 * {@code X-API-Key} header) or {@code invalid-api-key} (a key that is not configured). The
 * message never repeats the key.
 */
public final class ApiKeyException extends GatewayException {

    private static final long serialVersionUID = 1L;

    private final ProblemType type;

    private ApiKeyException(ProblemType type, String message) {
        super(message);
        this.type = type;
    }

    /** No key was sent. */
    public static ApiKeyException missing() {
        return new ApiKeyException(ProblemType.MISSING_API_KEY,
                "this API needs an API key in the " + ApiKeyFilter.HEADER + " header");
    }

    /** The key sent is not one of the configured keys. */
    public static ApiKeyException invalid() {
        return new ApiKeyException(ProblemType.INVALID_API_KEY, "the API key in " + ApiKeyFilter.HEADER + " is not valid");
    }

    @Override
    public ProblemType type() {
        return type;
    }
}
