package io.baton.gateway.admission;

import io.baton.gateway.GatewayException;
import io.baton.protocol.BatonHeaders;
import io.baton.protocol.problems.ProblemType;
import java.util.Map;

/**
 * The tenant sent more tokens than its rate allows (429 {@code rate-limited}); {@code Retry-After}
 * is when its bucket will hold enough for this request again.
 */
public final class RateLimitedException extends GatewayException {

    private static final long serialVersionUID = 1L;

    private final long retryAfterSeconds;

    public RateLimitedException(String tenant, long tokens, long retryAfterSeconds) {
        super("tenant " + tenant + " is over its token rate (baton.limits.tokens-per-second): this request of about "
                + tokens + " tokens may be sent again in " + retryAfterSeconds + " s");
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    public ProblemType type() {
        return ProblemType.RATE_LIMITED;
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of(BatonHeaders.RETRY_AFTER_MEMBER, retryAfterSeconds);
    }
}
