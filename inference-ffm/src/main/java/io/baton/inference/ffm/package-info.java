/**
 * The inference service's runner that keeps live documents' states in the runtime's memory between their
 * segments (issue 16): {@link io.baton.inference.ffm.ResidentRunner} puts onnxruntime-ffm's {@code ResidentStates}
 * behind the service's {@code SegmentRunner} (taking ragged batches where the model does), and {@link io.baton.inference.ffm.ResidentRunnerProvider} offers it
 * to the service through {@link java.util.ServiceLoader}. Java 25 (the FFM API); the service itself stays Java 17
 * and runs its models on the heap when this module is not on its class path.
 */
package io.baton.inference.ffm;
