/**
 * The same batches run two ways, for the tests and the GPU bench: {@link io.baton.onnx.ffm.bench.HostStates}
 * (ONNX Runtime Java, {@code OrtSession.run}, every state copied in and out through host buffers, as the
 * inference service does today) and {@link io.baton.onnx.ffm.ResidentStates} (IO binding, states in the
 * runtime's memory); {@link io.baton.onnx.ffm.bench.ResidentStatesBench} times them.
 */
package io.baton.onnx.ffm.bench;
