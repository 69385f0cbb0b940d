package io.baton.onnx.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@code OrtSession} over a model file (or a model's bytes: {@link #open(byte[], SessionConfig)}), with its input
 * and output names read once.
 *
 * <p>With {@link SessionConfig#usesCuda()} the CUDA provider is appended through
 * {@code SessionOptionsAppendExecutionProvider_CUDA_V2} with {@code device_id}, {@code use_tf32=0} (TF32 stays
 * opt-in, issue 16) and {@code cudnn_conv_algo_search=HEURISTIC}, and {@code enable_cuda_graph=1} with {@link
 * SessionConfig#cudaGraphs()}; on a runtime without CUDA that call fails and the failure is ONNX Runtime's message in
 * an {@link OrtException}.
 */
public final class Session implements AutoCloseable {

    private static final int ORT_ENABLE_ALL = 99;

    private final OrtRuntime ort;
    /** The model file, or null for a session made from bytes ({@link #bytes}). */
    private final Path model;
    private final byte[] bytes;
    private final SessionConfig config;
    private final Arena names = Arena.ofShared();
    private final List<String> inputNames;
    private final List<String> outputNames;
    private final Map<String, MemorySegment> cNames = new HashMap<>();
    private final AtomicInteger lastGraphId = new AtomicInteger();
    private final NativeHandle handle;

    private Session(OrtRuntime ort, MemorySegment handle, Path model, byte[] bytes, SessionConfig config) {
        this.ort = ort;
        this.model = model;
        this.bytes = bytes;
        this.config = config;
        this.handle = new NativeHandle(ort, handle, OrtApiSlot.ReleaseSession, "session");
        this.inputNames = readNames(OrtApiSlot.SessionGetInputCount, OrtApiSlot.SessionGetInputName);
        this.outputNames = readNames(OrtApiSlot.SessionGetOutputCount, OrtApiSlot.SessionGetOutputName);
        for (String name : inputNames) {
            cNames.put(name, names.allocateFrom(name));
        }
        for (String name : outputNames) {
            cNames.put(name, names.allocateFrom(name));
        }
    }

    /** Loads {@code model}; every native object made on the way is released, on failure too. */
    public static Session open(Path model, SessionConfig config) {
        return open(model, null, config);
    }

    /**
     * A session of the model whose ONNX bytes are {@code model} ({@code CreateSessionFromArray}): a graph this
     * module carries as a resource, such as {@link SpanMeans}'.
     */
    public static Session open(byte[] model, SessionConfig config) {
        return open(null, model.clone(), config);
    }

    private static Session open(Path file, byte[] bytes, SessionConfig config) {
        OrtRuntime ort = OrtRuntime.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            ort.check(ort.call(OrtApiSlot.CreateSessionOptions, OrtRuntime.STATUS_P, out));
            MemorySegment options = out.get(ADDRESS, 0);
            try {
                ort.check(ort.call(OrtApiSlot.SetIntraOpNumThreads, OrtRuntime.STATUS_PI, options, config.intraOpThreads()));
                ort.check(ort.call(OrtApiSlot.SetSessionGraphOptimizationLevel, OrtRuntime.STATUS_PI, options, ORT_ENABLE_ALL));
                if (!config.allowSpinning()) {
                    ort.check(ort.call(OrtApiSlot.AddSessionConfigEntry, OrtRuntime.STATUS_PPP, options,
                            arena.allocateFrom("session.intra_op.allow_spinning"), arena.allocateFrom("0")));
                }
                if (config.usesCuda()) {
                    appendCuda(ort, arena, options, config);
                }
                if (file != null) {
                    ort.check(ort.call(OrtApiSlot.CreateSession, FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS),
                            ort.env(), arena.allocateFrom(file.toAbsolutePath().toString()), options, out));
                } else {
                    MemorySegment data = arena.allocateFrom(JAVA_BYTE, bytes);
                    ort.check(ort.call(OrtApiSlot.CreateSessionFromArray,
                            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS),
                            ort.env(), data, (long) bytes.length, options, out));
                }
                return new Session(ort, out.get(ADDRESS, 0), file, bytes, config);
            } finally {
                ort.callVoid(OrtApiSlot.ReleaseSessionOptions, options);
            }
        }
    }

    private static void appendCuda(OrtRuntime ort, Arena arena, MemorySegment options, SessionConfig config) {
        MemorySegment out = arena.allocate(ADDRESS);
        ort.check(ort.call(OrtApiSlot.CreateCUDAProviderOptions, OrtRuntime.STATUS_P, out));
        MemorySegment cudaOptions = out.get(ADDRESS, 0);
        try {
            String[][] entries = {
                {"device_id", Integer.toString(config.cudaDevice())},
                {"use_tf32", "0"},
                {"cudnn_conv_algo_search", "HEURISTIC"},
                {"enable_cuda_graph", config.cudaGraphs() ? "1" : "0"},
            };
            MemorySegment keys = arena.allocate(ADDRESS, entries.length);
            MemorySegment values = arena.allocate(ADDRESS, entries.length);
            for (int i = 0; i < entries.length; i++) {
                keys.setAtIndex(ADDRESS, i, arena.allocateFrom(entries[i][0]));
                values.setAtIndex(ADDRESS, i, arena.allocateFrom(entries[i][1]));
            }
            ort.check(ort.call(OrtApiSlot.UpdateCUDAProviderOptions,
                    FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG),
                    cudaOptions, keys, values, (long) entries.length));
            ort.check(ort.call(OrtApiSlot.SessionOptionsAppendExecutionProvider_CUDA_V2, OrtRuntime.STATUS_PP,
                    options, cudaOptions));
        } finally {
            ort.callVoid(OrtApiSlot.ReleaseCUDAProviderOptions, cudaOptions);
        }
    }

    private List<String> readNames(OrtApiSlot count, OrtApiSlot name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment n = arena.allocate(JAVA_LONG);
            ort.check(ort.call(count, OrtRuntime.STATUS_PP, handle(), n));
            MemorySegment out = arena.allocate(ADDRESS);
            List<String> result = new ArrayList<>();
            for (long i = 0; i < n.get(JAVA_LONG, 0); i++) {
                ort.check(ort.call(name, OrtRuntime.STATUS_PLPP, handle(), i, ort.defaultAllocator(), out));
                MemorySegment text = out.get(ADDRESS, 0);
                result.add(text.reinterpret(Long.MAX_VALUE).getString(0));
                ort.free(ort.defaultAllocator(), text);
            }
            return List.copyOf(result);
        }
    }

    public List<String> inputNames() {
        return inputNames;
    }

    public List<String> outputNames() {
        return outputNames;
    }

    /** Whether the CUDA provider was appended. */
    public boolean usesCuda() {
        return config.usesCuda();
    }

    /** Whether runs may be captured as CUDA graphs ({@link SessionConfig#cudaGraphs()}). */
    public boolean cudaGraphs() {
        return config.cudaGraphs();
    }

    /**
     * A CUDA graph id never given out before on this session (from 1): ONNX Runtime keeps a captured graph for the
     * session's life, bound to the addresses it was captured with, so an id is never reused for other buffers.
     */
    public int newCudaGraphId() {
        return lastGraphId.incrementAndGet();
    }

    /**
     * A new session of the same model and settings, with its own execution provider: its own memory arenas (device
     * and page-locked host) and its own captured CUDA graphs. {@link ResidentStates} runs each frame on one, because
     * a captured graph's replays read and write the arena chunks its capture used, and any other run on the session
     * may be handed those chunks.
     */
    public Session another() {
        return open(model, bytes, config);
    }

    /** The CUDA device the session runs on, or -1. */
    public int cudaDevice() {
        return config.cudaDevice();
    }

    /** The NUL-terminated name of an input or output, kept for the session's life. */
    MemorySegment cName(String name) {
        MemorySegment c = cNames.get(name);
        if (c == null) {
            throw new OrtException(2, "the model has no input or output named '" + name + "'");
        }
        return c;
    }

    MemorySegment handle() {
        return handle.get();
    }

    @Override
    public void close() {
        if (handle.release()) {
            names.close();
        }
    }
}
