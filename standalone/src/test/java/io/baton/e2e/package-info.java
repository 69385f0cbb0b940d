/**
 * End-to-end tests of the distributed platform: memory-service and inference-service as separate
 * JVMs from their built jars, the gateway in distributed mode, real HTTP between all three and a
 * real Redis ({@link io.baton.e2e.Platform}), and the tests that drive it through the gateway's
 * public API ({@code EndToEndIT}, {@code InferenceBreakerIT}).
 */
package io.baton.e2e;
