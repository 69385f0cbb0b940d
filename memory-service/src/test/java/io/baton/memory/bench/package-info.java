/**
 * Benchmarks of the memory service run by {@code bench/} scripts, not by {@code ./mvnw verify}:
 * checkpoint round trips ({@code bench/memory-roundtrip}), many writers' puts at once
 * ({@code bench/memory-concurrent-puts}) and the cost of a put under a tenant quota
 * with few and many documents ({@code bench/quota-put-cost}), each measured side by side in one run.
 */
package io.baton.memory.bench;
