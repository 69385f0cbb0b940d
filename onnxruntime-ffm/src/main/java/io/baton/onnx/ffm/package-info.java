/**
 * ONNX Runtime's C API from Java through FFM ({@code java.lang.foreign}): what ONNX Runtime Java lacks, IO
 * binding and tensors that stay in the runtime's memory (host or CUDA device) between runs, so a live document's
 * state need not cross the host on every segment (issue 16).
 *
 * <p>{@link io.baton.onnx.ffm.OrtRuntime} reaches the API through the library ONNX Runtime Java loaded;
 * {@link io.baton.onnx.ffm.Session}, {@link io.baton.onnx.ffm.MemoryInfo}, {@link io.baton.onnx.ffm.Allocator},
 * {@link io.baton.onnx.ffm.Tensor}, {@link io.baton.onnx.ffm.IoBinding} and {@link io.baton.onnx.ffm.RunOptions} each own one native object and
 * release it on {@code close()}; every failed call is an {@link io.baton.onnx.ffm.OrtException} with ONNX
 * Runtime's message. {@link io.baton.onnx.ffm.ResidentStates} keeps documents' states in the runtime's memory
 * and runs batches of them (of segments of different lengths too, for a model with ragged batches), in fixed-shape
 * frames that a session with CUDA graphs captures once and replays; what outlives a run (the states' slabs, the
 * frames' buffers) lies in memory of its own ({@link io.baton.onnx.ffm.DeviceCopy#allocate}), never in the
 * session's arena, into whose chunks a captured graph's replay writes. {@link io.baton.onnx.ffm.SpanMeans} averages a
 * run's output over spans of positions where it lies (the service's sentence vectors), so only the means cross to
 * the host. Java 25, built only on JDK 22+ (see
 * docs/performance.md).
 */
package io.baton.onnx.ffm;
