package io.baton.protocol.client;

import io.baton.protocol.access.ServiceToken;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.springframework.boot.ssl.SslBundle;

/**
 * How a service calls another one over HTTP: the base {@code url}, a {@code timeout} per attempt
 * (connecting included), up to {@code retries} more attempts of a retryable failure after {@code
 * retryBackoff}, doubling up to {@code maxBackoff} (with jitter), all inside a circuit {@code
 * breaker}. The called service's credentials: {@code token}, the service token sent as {@code
 * Authorization: Bearer} (null: none), and {@code ssl}, the SSL bundle whose key (a client
 * certificate, for mutual TLS) the client presents and whose trust material it checks the server
 * with (null: the JVM's defaults, no client certificate; it needs an {@code https://} url).
 */
public record ClientSettings(String url, Duration timeout, int retries, Duration retryBackoff, Duration maxBackoff,
                             BreakerSettings breaker, ServiceToken token, SslBundle ssl) {

    public ClientSettings {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(retryBackoff, "retryBackoff");
        maxBackoff = maxBackoff == null ? retryBackoff.multipliedBy(1L << Math.min(retries, 20)) : maxBackoff;
        breaker = breaker == null ? BreakerSettings.defaults() : breaker;
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
        if (ssl != null && !url.toLowerCase(Locale.ROOT).startsWith("https://")) {
            throw new IllegalArgumentException("an SSL bundle is set for " + url + ", which is not an https:// url");
        }
    }

    /** Settings without TLS material of their own. */
    public ClientSettings(String url, Duration timeout, int retries, Duration retryBackoff, Duration maxBackoff,
                          BreakerSettings breaker, ServiceToken token) {
        this(url, timeout, retries, retryBackoff, maxBackoff, breaker, token, null);
    }

    /** The same settings with {@code token} as the service token (null: none). */
    public ClientSettings withToken(ServiceToken token) {
        return new ClientSettings(url, timeout, retries, retryBackoff, maxBackoff, breaker, token, ssl);
    }

    /** The same settings with {@code ssl} as the TLS material (null: the JVM's defaults). */
    public ClientSettings withSsl(SslBundle ssl) {
        return new ClientSettings(url, timeout, retries, retryBackoff, maxBackoff, breaker, token, ssl);
    }
}
