/**
 * Benchmarks of the inference code, run by the scripts in {@code bench/} (not by the test
 * suite; they are compiled with the tests so that they never fall behind the code).
 */
package io.baton.inference.bench;
