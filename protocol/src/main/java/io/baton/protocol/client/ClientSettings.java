package io.baton.protocol.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How a service calls another one over HTTP: the base {@code url}, a {@code timeout} per attempt
 * (connecting included), up to {@code retries} more attempts of a retryable failure after {@code
 * retryBackoff}, doubling up to {@code maxBackoff} (with jitter), all inside a circuit {@code
 * breaker}. {@code token} is the service credential sent as {@code Authorization: Bearer}
 * (null or blank: none).
 */
public record ClientSettings(String url, Duration timeout, int retries, Duration retryBackoff, Duration maxBackoff,
                             BreakerSettings breaker, String token) {

    public ClientSettings {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(retryBackoff, "retryBackoff");
        maxBackoff = maxBackoff == null ? retryBackoff.multipliedBy(1L << Math.min(retries, 20)) : maxBackoff;
        breaker = breaker == null ? BreakerSettings.defaults() : breaker;
        token = token == null || token.isBlank() ? null : token.strip();
        if (retries < 0) {
            throw new IllegalArgumentException("retries must not be negative, got " + retries);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        if (retryBackoff.isNegative() || maxBackoff.compareTo(retryBackoff) < 0) {
            throw new IllegalArgumentException("0 <= retry-backoff <= max-backoff is required, got " + retryBackoff
                    + " and " + maxBackoff);
        }
    }

    /** The same settings with {@code token} as the credential. */
    public ClientSettings withToken(String token) {
        return new ClientSettings(url, timeout, retries, retryBackoff, maxBackoff, breaker, token);
    }
}
