/**
 * The reliability suite of issue #13, run by the scripts {@code bench/load}, {@code bench/faults},
 * {@code bench/bad-input} and {@code bench/fuzz}: the services as separate processes ({@link
 * io.baton.reliability.Node}) on a Redis of the suite's own ({@link io.baton.reliability.PrivateRedis}),
 * driven over real HTTP, with what held written to {@code bench/out/} and {@code
 * docs/reliability.md}. These are plain programs, not Surefire or Failsafe tests: they take minutes
 * and kill processes, so {@code ./mvnw verify} never runs them.
 */
package io.baton.reliability;
