package io.baton.onnx.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * An {@code OrtRunOptions} with configuration entries ({@code AddRunConfigEntry}), for {@link IoBinding#run(RunOptions)}.
 * The one entry this module sets is {@code gpu_graph_id}: on a session with CUDA graphs ({@link
 * SessionConfig#cudaGraphs()}), which captured graph a run replays ({@link #cudaGraph(int)}), or none ({@link
 * #noCudaGraph()}).
 */
public final class RunOptions implements AutoCloseable {

    /** ONNX Runtime's {@code kOrtRunOptionsConfigCudaGraphAnnotation}. */
    private static final String CUDA_GRAPH_ID = "gpu_graph_id";

    private final OrtRuntime ort;
    private final NativeHandle handle;

    private RunOptions() {
        this.ort = OrtRuntime.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            ort.check(ort.call(OrtApiSlot.CreateRunOptions, OrtRuntime.STATUS_P, out));
            this.handle = new NativeHandle(ort, out.get(ADDRESS, 0), OrtApiSlot.ReleaseRunOptions, "run options");
        }
    }

    /**
     * Run options that replay CUDA graph {@code id} (>= 1), capturing it on its first run: every run with these
     * options must bind the same inputs and outputs, at the same addresses and of the same shapes.
     */
    public static RunOptions cudaGraph(int id) {
        if (id < 1) {
            throw new IllegalArgumentException("a CUDA graph id is at least 1 (0 is ONNX Runtime's own), was " + id);
        }
        return new RunOptions().set(CUDA_GRAPH_ID, Integer.toString(id));
    }

    /** Run options for a run that is neither captured nor replayed, on a session with CUDA graphs. */
    public static RunOptions noCudaGraph() {
        return new RunOptions().set(CUDA_GRAPH_ID, "-1");
    }

    private RunOptions set(String key, String value) {
        try (Arena arena = Arena.ofConfined()) {
            ort.check3(OrtApiSlot.AddRunConfigEntry, handle(), arena.allocateFrom(key), arena.allocateFrom(value));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        return this;
    }

    MemorySegment handle() {
        return handle.get();
    }

    @Override
    public void close() {
        handle.release();
    }
}
