/**
 * Benchmarks of the gateway, run by the scripts in {@code bench/}: segment lengths, end-to-end
 * tokens/s (standalone, distributed, inference alone) and per-token time and memory by document
 * size; batch jobs against interactive requests on the distributed platform (throughput of one job
 * vs the same texts by as many clients, and interactive latency while a job runs: {@code
 * JobsBench}). Numbers go to {@code docs/performance.md}; nothing here is a pass/fail test.
 */
package io.baton.bench;
