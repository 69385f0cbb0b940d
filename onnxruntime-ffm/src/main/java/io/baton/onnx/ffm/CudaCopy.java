package io.baton.onnx.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * {@link DeviceCopy} for a CUDA session, through libcudart (the {@code libcudart.so.12} the CUDA provider itself
 * loads; {@code dlopen} of the same soname returns that copy).
 *
 * <p>Copies are queued on the legacy default stream with {@code cudaMemcpyDefault} (unified addressing tells the
 * direction) and {@link #synchronize()} waits for that stream. Ordering against ONNX Runtime's own compute
 * stream: {@code RunWithBinding} returns only when its outputs are complete (ONNX Runtime synchronises its
 * streams at the end of a run), and {@link ResidentStates} calls {@link #synchronize()} before the next run
 * binds what the copies wrote. Copies go to the calling thread's current device, device 0 unless the caller
 * set another ({@code cudaSetDevice} is not called here yet). Compiled and loaded only for a CUDA session; not
 * exercised by the CPU tests.
 */
final class CudaCopy implements DeviceCopy {

    private static final int MEMCPY_DEFAULT = 4;
    private static final MemorySegment LEGACY_STREAM = MemorySegment.NULL;

    private final MethodHandle memcpy2dAsync;
    private final MethodHandle memsetAsync;
    private final MethodHandle memcpy;
    private final MethodHandle memcpyAsync;
    private final MethodHandle streamSynchronize;
    private final MethodHandle mallocHost;
    private final MethodHandle malloc;
    private final MethodHandle free;
    private final MethodHandle freeHost;
    private final MethodHandle errorString;

    private CudaCopy(SymbolLookup cudart) {
        Linker linker = Linker.nativeLinker();
        memcpy2dAsync = linker.downcallHandle(find(cudart, "cudaMemcpy2DAsync"), FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS));
        memsetAsync = linker.downcallHandle(find(cudart, "cudaMemsetAsync"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS));
        memcpy = linker.downcallHandle(find(cudart, "cudaMemcpy"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
        memcpyAsync = linker.downcallHandle(find(cudart, "cudaMemcpyAsync"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS));
        streamSynchronize = linker.downcallHandle(find(cudart, "cudaStreamSynchronize"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
        mallocHost = linker.downcallHandle(find(cudart, "cudaMallocHost"), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        freeHost = linker.downcallHandle(find(cudart, "cudaFreeHost"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        malloc = linker.downcallHandle(find(cudart, "cudaMalloc"), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        free = linker.downcallHandle(find(cudart, "cudaFree"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        errorString = linker.downcallHandle(find(cudart, "cudaGetErrorString"), FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    /** Loads libcudart ({@code -Dbaton.cudart=} names another file, default {@code libcudart.so.12}). */
    static CudaCopy load() {
        String name = System.getProperty("baton.cudart", "libcudart.so.12");
        try {
            return new CudaCopy(SymbolLookup.libraryLookup(name, Arena.global()));
        } catch (IllegalArgumentException e) {
            throw new OrtException("cannot load " + name + " for device-to-device copies: " + e.getMessage(), e);
        }
    }

    private static MemorySegment find(SymbolLookup lookup, String symbol) {
        return lookup.find(symbol).orElseThrow(() -> new OrtException("libcudart has no " + symbol));
    }

    @Override
    public void copy2d(long dst, long dstPitch, long src, long srcPitch, long width, long rows) {
        if (width == 0 || rows == 0) {
            return;
        }
        cuda("cudaMemcpy2DAsync", () -> (int) memcpy2dAsync.invokeExact(MemorySegment.ofAddress(dst), dstPitch,
                MemorySegment.ofAddress(src), srcPitch, width, rows, MEMCPY_DEFAULT, LEGACY_STREAM));
    }

    @Override
    public void zero(long dst, long bytes) {
        cuda("cudaMemsetAsync", () -> (int) memsetAsync.invokeExact(MemorySegment.ofAddress(dst), 0, bytes, LEGACY_STREAM));
    }

    @Override
    public void toHost(MemorySegment dst, long src) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment staging = dst.isNative() ? dst : arena.allocate(dst.byteSize(), 64);
            cuda("cudaMemcpy", () -> (int) memcpy.invokeExact(staging, MemorySegment.ofAddress(src), dst.byteSize(),
                    MEMCPY_DEFAULT));
            if (staging != dst) {
                MemorySegment.copy(staging, 0, dst, 0, dst.byteSize());
            }
        }
    }

    @Override
    public void toHostAsync(MemorySegment dst, long src) {
        if (!dst.isNative()) {
            throw new IllegalArgumentException("an asynchronous copy goes to host memory from allocateHost, not the heap");
        }
        cuda("cudaMemcpyAsync", () -> (int) memcpyAsync.invokeExact(dst, MemorySegment.ofAddress(src), dst.byteSize(),
                MEMCPY_DEFAULT, LEGACY_STREAM));
    }

    @Override
    public void fromHost(long dst, MemorySegment src) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment staging = src.isNative() ? src : arena.allocate(src.byteSize(), 64).copyFrom(src);
            cuda("cudaMemcpy", () -> (int) memcpy.invokeExact(MemorySegment.ofAddress(dst), staging, src.byteSize(),
                    MEMCPY_DEFAULT));
            synchronize();
        }
    }

    @Override
    public MemorySegment allocateHost(long bytes) {
        return allocate("cudaMallocHost", mallocHost, bytes);
    }

    @Override
    public void freeHost(MemorySegment host) {
        cuda("cudaFreeHost", () -> (int) freeHost.invokeExact(host));
    }

    @Override
    public MemorySegment allocate(long bytes) {
        return allocate("cudaMalloc", malloc, bytes);
    }

    @Override
    public void free(MemorySegment memory) {
        cuda("cudaFree", () -> (int) free.invokeExact(memory));
    }

    /** {@code bytes} from {@code cudaMallocHost} or {@code cudaMalloc} ({@code (void**, size_t)} both). */
    private MemorySegment allocate(String name, MethodHandle function, long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            cuda(name, () -> (int) function.invokeExact(out, bytes));
            return out.get(ADDRESS, 0).reinterpret(bytes);
        }
    }

    @Override
    public void synchronize() {
        cuda("cudaStreamSynchronize", () -> (int) streamSynchronize.invokeExact(LEGACY_STREAM));
    }

    /** One libcudart call returning a {@code cudaError_t}. */
    @FunctionalInterface
    private interface CudaCall {
        int invoke() throws Throwable;
    }

    /** Runs {@code call}; an error code becomes an {@link OrtException} with CUDA's own text. */
    private void cuda(String name, CudaCall call) {
        try {
            int error = call.invoke();
            if (error != 0) {
                MemorySegment text = (MemorySegment) errorString.invokeExact(error);
                throw new OrtException(error, name + ": " + text.reinterpret(Long.MAX_VALUE).getString(0));
            }
        } catch (OrtException e) {
            throw e;
        } catch (Throwable t) {
            throw new OrtException(name + " failed: " + t, t);
        }
    }
}
