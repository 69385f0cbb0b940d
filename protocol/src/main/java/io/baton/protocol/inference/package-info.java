/**
 * The inference service's side of the protocol: its records ({@link
 * io.baton.protocol.inference.SegmentRequest}, {@link io.baton.protocol.inference.SegmentResponse},
 * {@link io.baton.protocol.inference.GenerateRequest}, {@link
 * io.baton.protocol.inference.GeneratedToken}), the {@link io.baton.protocol.inference.Priority} of a
 * segment (interactive or batch), its client ({@link
 * io.baton.protocol.inference.InferenceClient}) and the client's HTTP adapter.
 */
package io.baton.protocol.inference;
