package io.baton.onnx.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A session's allocator for one kind of memory ({@code CreateAllocator(session, memoryInfo)}): tensors made with
 * it live in the memory the session computes in (its arena on the host, or on the CUDA device), so they can be
 * bound as inputs without a copy.
 */
public final class Allocator implements AutoCloseable {

    private final boolean host;
    private final NativeHandle handle;

    private Allocator(OrtRuntime ort, MemorySegment handle, boolean host) {
        this.handle = new NativeHandle(ort, handle, OrtApiSlot.ReleaseAllocator, "allocator");
        this.host = host;
    }

    /** An allocator of {@code session} for the memory {@code info} describes; closed before the session. */
    public static Allocator of(Session session, MemoryInfo info) {
        OrtRuntime ort = OrtRuntime.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            ort.check(ort.call(OrtApiSlot.CreateAllocator, OrtRuntime.STATUS_PPP, session.handle(), info.handle(), out));
            return new Allocator(ort, out.get(ADDRESS, 0), info.isHost());
        }
    }

    /** Whether the memory is host memory. */
    public boolean isHost() {
        return host;
    }

    MemorySegment handle() {
        return handle.get();
    }

    @Override
    public void close() {
        handle.release();
    }
}
