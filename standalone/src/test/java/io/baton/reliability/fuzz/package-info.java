/**
 * Fuzz targets, run by {@code bench/fuzz} with Jazzer (coverage-guided, libFuzzer's mutations):
 * each class has Jazzer's entry point {@code fuzzerTestOneInput(byte[])}, lets the exceptions its
 * code under test documents as the answer to bad input pass quietly (the "typed" errors, named in
 * each class), and turns anything else into a finding: any other exception, an {@code Error},
 * or a broken property of what was accepted. Plain classes (no {@code *Test}/{@code *IT} name), so
 * {@code ./mvnw verify} compiles them and never runs them; {@link io.baton.reliability.fuzz.Seeds}
 * writes the inputs each target starts from.
 */
package io.baton.reliability.fuzz;
