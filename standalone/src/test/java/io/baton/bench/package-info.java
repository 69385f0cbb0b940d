/**
 * Benchmarks of the gateway, run by the scripts in {@code bench/}: segment lengths, end-to-end
 * tokens/s (standalone, distributed, inference alone) and per-token time and memory by document
 * size. Numbers go to {@code docs/performance.md}; nothing here is a pass/fail test.
 */
package io.baton.bench;
