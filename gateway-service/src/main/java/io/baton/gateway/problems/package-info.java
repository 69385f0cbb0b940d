/**
 * Every gateway error as an RFC 9457 problem detail with a stable {@code type} of {@code
 * urn:baton:problem:<type>} ({@link io.baton.gateway.problems.ProblemDetailsAdvice}).
 */
package io.baton.gateway.problems;
