package io.baton.protocol.client;

import java.time.Duration;

/**
 * The circuit breaker around a client of another service (inference's memory client, the
 * gateway's inference client), bound from {@code <prefix>.circuit-breaker.*}. The breaker opens
 * when at least {@code failureRatePercent} of the last {@code window} calls failed (once {@code
 * minimumCalls} were made), stays open for {@code openFor}, then lets {@code halfOpenCalls} trial
 * calls through. A component left out (null) takes its default: 50%, 20 calls, 10 calls, 10s, 3.
 */
public record BreakerSettings(Integer failureRatePercent, Integer window, Integer minimumCalls, Duration openFor,
                              Integer halfOpenCalls) {

    public BreakerSettings {
        failureRatePercent = failureRatePercent == null ? 50 : failureRatePercent;
        window = window == null ? 20 : window;
        minimumCalls = minimumCalls == null ? 10 : minimumCalls;
        openFor = openFor == null ? Duration.ofSeconds(10) : openFor;
        halfOpenCalls = halfOpenCalls == null ? 3 : halfOpenCalls;
        if (failureRatePercent < 1 || failureRatePercent > 100) {
            throw new IllegalArgumentException("circuit-breaker.failure-rate-percent must be 1..100, got "
                    + failureRatePercent);
        }
        if (window < 1 || minimumCalls < 1 || halfOpenCalls < 1) {
            throw new IllegalArgumentException("circuit-breaker window, minimum-calls and half-open-calls must be "
                    + "at least 1");
        }
        if (openFor.isNegative() || openFor.isZero()) {
            throw new IllegalArgumentException("circuit-breaker.open-for must be positive, got " + openFor);
        }
    }

    /** All defaults. */
    public static BreakerSettings defaults() {
        return new BreakerSettings(null, null, null, null, null);
    }
}
