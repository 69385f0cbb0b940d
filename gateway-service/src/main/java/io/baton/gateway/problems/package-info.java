/**
 * Every gateway error as an RFC 9457 problem detail with a stable {@code type} of {@code
 * urn:baton:problem:<type>} ({@link io.baton.gateway.problems.ProblemDetailsAdvice}), and in an
 * event stream that already began, as its last event ({@link io.baton.gateway.problems.ProblemEvents}).
 */
package io.baton.gateway.problems;
