package io.baton.onnx.ffm;

import java.lang.foreign.MemorySegment;

/**
 * Copies inside the runtime's memory (host memory for a CPU session, device memory for a CUDA session), and
 * between it and the Java heap's host buffers. Addresses are what {@link Tensor#address()} returns.
 *
 * <p>ONNX Runtime's C API up to version 22 has no copy between tensors ({@code CopyTensors} came later), so a
 * CUDA session's copies go to libcudart directly ({@link CudaCopy}); a CPU session's are plain memory copies
 * ({@link HostCopy}).
 */
public interface DeviceCopy {

    /**
     * Copies {@code rows} rows of {@code width} bytes: row r from {@code src + r * srcPitch} to
     * {@code dst + r * dstPitch} (cudaMemcpy2D's contract).
     */
    void copy2d(long dst, long dstPitch, long src, long srcPitch, long width, long rows);

    /** Sets {@code bytes} bytes at {@code dst} to zero. */
    void zero(long dst, long bytes);

    /** Copies {@code dst.byteSize()} bytes from the runtime's memory at {@code src} to host memory. */
    void toHost(MemorySegment dst, long src);

    /**
     * Starts copying {@code dst.byteSize()} bytes from the runtime's memory at {@code src} to {@code dst}, host memory
     * from {@link #allocateHost}; the bytes are there once {@link #synchronize()} returns. Copies queued this way
     * cost one wait for all of them, where {@link #toHost} waits for each.
     */
    void toHostAsync(MemorySegment dst, long src);

    /** Copies {@code src} (host memory) to the runtime's memory at {@code dst}. */
    void fromHost(long dst, MemorySegment src);

    /**
     * Host memory of {@code bytes} that copies from the runtime's memory go fastest to (page-locked for CUDA: a
     * pageable destination costs the driver a staging copy); give it back with {@link #freeHost}.
     */
    MemorySegment allocateHost(long bytes);

    /** Frees memory {@link #allocateHost} gave. */
    void freeHost(MemorySegment host);

    /**
     * Memory of {@code bytes} in the runtime's memory (device memory for CUDA, from {@code cudaMalloc}) that no
     * session's arena hands out; give it back with {@link #free}. For buffers that outlive a run on a session
     * that replays CUDA graphs: a captured graph replays into the arena chunks its capture used, which the arena
     * hands out again once the capture's run is over, so a lasting buffer placed in one would be overwritten.
     */
    MemorySegment allocate(long bytes);

    /** Frees memory {@link #allocate} gave. */
    void free(MemorySegment memory);

    /** Waits until every copy issued so far is complete (before the next run reads what they wrote). */
    void synchronize();

    /** The copies for a session: libcudart for a CUDA session, memory copies otherwise. */
    static DeviceCopy forSession(Session session) {
        return session.usesCuda() ? CudaCopy.load() : new HostCopy();
    }
}
