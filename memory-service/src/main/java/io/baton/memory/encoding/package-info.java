/**
 * How checkpoints are kept in the store: {@link io.baton.memory.encoding.StateEncoding} turns a
 * validated state container into stored bytes (optional lossy F32 to F16/BF16 downcast, optional
 * zstd compression) and back. Pure, deterministic functions; the conversions and their error
 * bounds are in {@link io.baton.memory.encoding.Downcast} and {@code docs/state-encoding.md}.
 */
package io.baton.memory.encoding;
