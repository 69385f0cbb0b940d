package io.baton.onnx.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;

/**
 * An {@code OrtMemoryInfo}: where a tensor's memory lives. {@link #cpu()} is host memory; {@link #cuda(int)} is
 * the memory of one CUDA device (ONNX Runtime's name "Cuda"), the one a CUDA session's outputs are bound to so
 * that they stay on the device.
 */
public final class MemoryInfo implements AutoCloseable {

    private static final int DEVICE_ALLOCATOR = 0;
    private static final int ARENA_ALLOCATOR = 1;
    private static final int MEM_TYPE_DEFAULT = 0;

    private final OrtRuntime ort;
    private final String device;
    private final NativeHandle handle;

    private MemoryInfo(OrtRuntime ort, MemorySegment handle, String device) {
        this.ort = ort;
        this.handle = new NativeHandle(ort, handle, OrtApiSlot.ReleaseMemoryInfo, "memory info");
        this.device = device;
    }

    /** Host memory ({@code CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault)}). */
    public static MemoryInfo cpu() {
        OrtRuntime ort = OrtRuntime.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            ort.check(ort.call(OrtApiSlot.CreateCpuMemoryInfo, FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT, ADDRESS),
                    ARENA_ALLOCATOR, MEM_TYPE_DEFAULT, out));
            return new MemoryInfo(ort, out.get(ADDRESS, 0), "Cpu");
        }
    }

    /** The memory of CUDA device {@code deviceId} ({@code CreateMemoryInfo("Cuda", OrtDeviceAllocator, id, default)}). */
    public static MemoryInfo cuda(int deviceId) {
        OrtRuntime ort = OrtRuntime.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            ort.check(ort.call(OrtApiSlot.CreateMemoryInfo,
                    FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS),
                    arena.allocateFrom("Cuda"), DEVICE_ALLOCATOR, deviceId, MEM_TYPE_DEFAULT, out));
            return new MemoryInfo(ort, out.get(ADDRESS, 0), "Cuda");
        }
    }

    /** ONNX Runtime's name of the memory ({@code MemoryInfoGetName}): "Cpu", "Cuda", ... */
    public String name() {
        return nameOf(ort, handle());
    }

    /** Whether this is host memory, which Java may read and write directly. */
    public boolean isHost() {
        return "Cpu".equals(device);
    }

    static String nameOf(OrtRuntime ort, MemorySegment info) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            ort.check(ort.call(OrtApiSlot.MemoryInfoGetName, OrtRuntime.STATUS_PP, info, out));
            return out.get(ADDRESS, 0).reinterpret(Long.MAX_VALUE).getString(0);
        }
    }

    MemorySegment handle() {
        return handle.get();
    }

    @Override
    public void close() {
        handle.release();
    }
}
