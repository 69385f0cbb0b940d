/**
 * Settings shared by the clients one service has of another ({@link
 * io.baton.common.resilience.BreakerSettings}: the circuit breaker around the calls). Plain data;
 * each service builds its breaker from them.
 */
package io.baton.common.resilience;
