/**
 * The catalogue of problem types ({@link io.baton.protocol.problems.ProblemType}: type, status,
 * retryable, public detail), the exceptions that name them ({@link
 * io.baton.protocol.problems.BatonException}, {@link
 * io.baton.protocol.problems.ServiceCallException}), the shape of the RFC 9457 problem details
 * every service answers and the one rule that makes them ({@link
 * io.baton.protocol.problems.ProblemAdvice}), the id of every request ({@link
 * io.baton.protocol.problems.RequestIds}).
 */
package io.baton.protocol.problems;
