package io.baton.onnx.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import ai.onnxruntime.OrtEnvironment;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.atomic.AtomicReference;

/**
 * ONNX Runtime's C API, reached through {@code OrtGetApiBase()}, and the process's {@code OrtEnv}.
 *
 * <p><b>Which library.</b> ONNX Runtime Java extracts {@code libonnxruntime.so} from its jar (or takes it from
 * {@code -Donnxruntime.native.path}) and {@code System.load}s it the first time
 * {@link OrtEnvironment#getEnvironment()} runs. Its class and this one share the application class loader, so
 * {@link SymbolLookup#loaderLookup()} then finds {@code OrtGetApiBase} in that very library: the C API calls
 * made here and ONNX Runtime Java's calls go to one copy of the runtime (one {@code OrtEnv}, one CUDA provider),
 * whether the jar is the CPU 1.29 one or the staged GPU 1.22 one, with no second path to configure. Looking the
 * library up by file name instead would {@code dlopen} whatever the loader path holds, possibly a second copy.
 *
 * <p><b>Which entries.</b> {@link #API_VERSION} 11 is the version of the newest entry used
 * ({@code SessionOptionsAppendExecutionProvider_CUDA_V2}); every later runtime serves it, 1.22 and 1.29 included.
 *
 * <p>ONNX Runtime 1.29 overflows a 1 MiB thread stack while it initialises (see the inference service's
 * {@code OnnxEnvironment}), so the first {@link #get()} does its work on a 16 MiB thread.
 */
public final class OrtRuntime {

    /** {@code OrtApiBase::GetApi(version)}: the oldest API version that has every entry this module calls. */
    public static final int API_VERSION = 11;

    private static final long INIT_STACK_BYTES = 16L << 20;
    private static final int LOGGING_LEVEL_WARNING = 2;

    private static volatile OrtRuntime instance;

    private final Linker linker = Linker.nativeLinker();
    private final MemorySegment api;
    private final String version;
    /** Downcall handles by slot, made on first use (a race makes two equal handles, which is harmless). */
    private final MethodHandle[] handles = new MethodHandle[OrtApiSlot.values().length];
    private final FunctionDescriptor[] descriptors = new FunctionDescriptor[OrtApiSlot.values().length];
    private final MemorySegment env;
    private final MemorySegment defaultAllocator;

    private OrtRuntime() {
        OrtEnvironment.getEnvironment();
        MemorySegment getApiBase = SymbolLookup.loaderLookup().find("OrtGetApiBase")
                .orElseThrow(() -> new OrtException("OrtGetApiBase not found among the libraries ONNX Runtime Java loaded"));
        try {
            MemorySegment base = ((MemorySegment) linker.downcallHandle(getApiBase, FunctionDescriptor.of(ADDRESS))
                    .invokeExact()).reinterpret(2 * ADDRESS.byteSize());
            MemorySegment getApi = base.get(ADDRESS, 0);
            MemorySegment getVersion = base.get(ADDRESS, ADDRESS.byteSize());
            MemorySegment apiPointer = (MemorySegment) linker.downcallHandle(getApi, FunctionDescriptor.of(ADDRESS, JAVA_INT))
                    .invokeExact(API_VERSION);
            MemorySegment versionPointer = (MemorySegment) linker.downcallHandle(getVersion, FunctionDescriptor.of(ADDRESS))
                    .invokeExact();
            this.version = versionPointer.reinterpret(Long.MAX_VALUE).getString(0);
            if (apiPointer.equals(MemorySegment.NULL)) {
                throw new OrtException("ONNX Runtime " + version + " does not serve C API version " + API_VERSION);
            }
            this.api = apiPointer.reinterpret((OrtApiSlot.values().length) * ADDRESS.byteSize());
        } catch (OrtException e) {
            throw e;
        } catch (Throwable t) {
            throw new OrtException("could not reach ONNX Runtime's C API", t);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check(call(OrtApiSlot.CreateEnv, FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS, ADDRESS),
                    LOGGING_LEVEL_WARNING, arena.allocateFrom("baton-ffm"), out));
            this.env = out.get(ADDRESS, 0);
            check(call(OrtApiSlot.GetAllocatorWithDefaultOptions, FunctionDescriptor.of(ADDRESS, ADDRESS), out));
            this.defaultAllocator = out.get(ADDRESS, 0);
        }
    }

    /** The runtime, loading ONNX Runtime (through ONNX Runtime Java) on a large-stack thread the first time. */
    public static OrtRuntime get() {
        OrtRuntime runtime = instance;
        if (runtime == null) {
            synchronized (OrtRuntime.class) {
                runtime = instance;
                if (runtime == null) {
                    runtime = initialise();
                    instance = runtime;
                }
            }
        }
        return runtime;
    }

    private static OrtRuntime initialise() {
        AtomicReference<OrtRuntime> created = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread init = new Thread(null, () -> {
            try {
                created.set(new OrtRuntime());
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "onnxruntime-ffm-init", INIT_STACK_BYTES);
        init.start();
        try {
            init.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrtException("interrupted while ONNX Runtime was initialising", e);
        }
        if (failure.get() instanceof OrtException e) {
            throw e;
        }
        if (failure.get() != null) {
            throw new OrtException("ONNX Runtime could not be initialised: " + failure.get(), failure.get());
        }
        return created.get();
    }

    /** The library's version string ({@code OrtApiBase::GetVersionString}), e.g. "1.29.0". */
    public String version() {
        return version;
    }

    MemorySegment env() {
        return env;
    }

    /** ONNX Runtime's default CPU allocator (never released). */
    MemorySegment defaultAllocator() {
        return defaultAllocator;
    }

    /** A downcall handle to an {@code OrtApi} entry, made once per entry. */
    MethodHandle handle(OrtApiSlot slot, FunctionDescriptor descriptor) {
        MethodHandle handle = handles[slot.ordinal()];
        if (handle == null) {
            MemorySegment function = api.get(ADDRESS, slot.offset());
            if (function.equals(MemorySegment.NULL)) {
                throw new OrtException("OrtApi entry " + slot + " is null in ONNX Runtime " + version);
            }
            handle = linker.downcallHandle(function, descriptor);
            descriptors[slot.ordinal()] = descriptor;
            handles[slot.ordinal()] = handle;
        }
        FunctionDescriptor made = descriptors[slot.ordinal()];
        if (made != descriptor && made != null && !made.equals(descriptor)) {
            throw new OrtException("OrtApi entry " + slot + " called as " + descriptor + ", made as " + made);
        }
        return handle;
    }

    /** Calls an entry {@code OrtStatus* f(p)} and checks the status (no boxing: for the per-run calls). */
    void check1(OrtApiSlot slot, MemorySegment a) {
        MemorySegment status;
        try {
            status = (MemorySegment) handle(slot, STATUS_P).invokeExact(a);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new OrtException(slot + " failed: " + t, t);
        }
        check(status);
    }

    /** Calls an entry {@code OrtStatus* f(p, p)} and checks the status. */
    void check2(OrtApiSlot slot, MemorySegment a, MemorySegment b) {
        MemorySegment status;
        try {
            status = (MemorySegment) handle(slot, STATUS_PP).invokeExact(a, b);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new OrtException(slot + " failed: " + t, t);
        }
        check(status);
    }

    /** Calls an entry {@code OrtStatus* f(p, p, p)} and checks the status. */
    void check3(OrtApiSlot slot, MemorySegment a, MemorySegment b, MemorySegment c) {
        MemorySegment status;
        try {
            status = (MemorySegment) handle(slot, STATUS_PPP).invokeExact(a, b, c);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new OrtException(slot + " failed: " + t, t);
        }
        check(status);
    }

    /** Calls an entry that returns an {@code OrtStatus*} (or another pointer), boxing its arguments: for set-up calls. */
    MemorySegment call(OrtApiSlot slot, FunctionDescriptor descriptor, Object... args) {
        try {
            return (MemorySegment) handle(slot, descriptor).invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new OrtException(slot + " failed: " + t, t);
        }
    }

    /** Calls an entry that returns nothing ({@code Release*}, {@code ClearBound*}). */
    void callVoid(OrtApiSlot slot, MemorySegment argument) {
        try {
            handle(slot, FunctionDescriptor.ofVoid(ADDRESS)).invokeExact(argument);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new OrtException(slot + " failed: " + t, t);
        }
    }

    /**
     * Turns a returned {@code OrtStatus*} into an {@link OrtException} with ONNX Runtime's code and message
     * (releasing the status); a null status is success.
     */
    void check(MemorySegment status) {
        if (status.equals(MemorySegment.NULL)) {
            return;
        }
        int code;
        String message;
        try {
            code = (int) handle(OrtApiSlot.GetErrorCode, FunctionDescriptor.of(JAVA_INT, ADDRESS)).invokeExact(status);
            MemorySegment text = (MemorySegment) handle(OrtApiSlot.GetErrorMessage, FunctionDescriptor.of(ADDRESS, ADDRESS))
                    .invokeExact(status);
            message = text.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw new OrtException("could not read an OrtStatus: " + t, t);
        } finally {
            callVoid(OrtApiSlot.ReleaseStatus, status);
        }
        throw new OrtException(code, message);
    }

    /** {@code CreateStatus} then {@link #check}: the round trip the tests use to check the first slots. */
    void failWith(int code, String message) {
        try (Arena arena = Arena.ofConfined()) {
            check(call(OrtApiSlot.CreateStatus, FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS),
                    code, arena.allocateFrom(message)));
        }
    }

    /** Frees memory that ONNX Runtime allocated with an {@code OrtAllocator} (names, output arrays). */
    void free(MemorySegment allocator, MemorySegment pointer) {
        check2(OrtApiSlot.AllocatorFree, allocator, pointer);
    }

    static final FunctionDescriptor STATUS_P = FunctionDescriptor.of(ADDRESS, ADDRESS);
    static final FunctionDescriptor STATUS_PP = FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS);
    static final FunctionDescriptor STATUS_PPP = FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final FunctionDescriptor STATUS_PLPP = FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS);
    static final FunctionDescriptor STATUS_PI = FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT);
}
