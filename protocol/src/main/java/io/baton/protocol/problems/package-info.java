/**
 * The catalogue of problem types ({@link io.baton.protocol.problems.ProblemType}: type, status,
 * retryable, public detail) and the shape of the RFC 9457 problem details every service answers
 * ({@link io.baton.protocol.problems.Problems}).
 */
package io.baton.protocol.problems;
