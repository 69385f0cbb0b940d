package io.baton.onnx.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** {@link DeviceCopy} for a CPU session: the runtime's memory is host memory. */
final class HostCopy implements DeviceCopy {

    @Override
    public void copy2d(long dst, long dstPitch, long src, long srcPitch, long width, long rows) {
        if (width == 0 || rows == 0) {
            return;
        }
        MemorySegment to = MemorySegment.ofAddress(dst).reinterpret((rows - 1) * dstPitch + width);
        MemorySegment from = MemorySegment.ofAddress(src).reinterpret((rows - 1) * srcPitch + width);
        if (dstPitch == width && srcPitch == width) {
            MemorySegment.copy(from, 0, to, 0, rows * width);
            return;
        }
        for (long r = 0; r < rows; r++) {
            MemorySegment.copy(from, r * srcPitch, to, r * dstPitch, width);
        }
    }

    @Override
    public void zero(long dst, long bytes) {
        MemorySegment.ofAddress(dst).reinterpret(bytes).fill((byte) 0);
    }

    @Override
    public void toHost(MemorySegment dst, long src) {
        MemorySegment.copy(MemorySegment.ofAddress(src).reinterpret(dst.byteSize()), 0, dst, 0, dst.byteSize());
    }

    @Override
    public void toHostAsync(MemorySegment dst, long src) {
        toHost(dst, src);
    }

    @Override
    public void fromHost(long dst, MemorySegment src) {
        MemorySegment.copy(src, 0, MemorySegment.ofAddress(dst).reinterpret(src.byteSize()), 0, src.byteSize());
    }

    @Override
    public MemorySegment allocateHost(long bytes) {
        return Arena.ofAuto().allocate(bytes, 64);
    }

    @Override
    public void freeHost(MemorySegment host) {
        // An automatic arena's memory goes with its last reference.
    }

    @Override
    public MemorySegment allocate(long bytes) {
        return allocateHost(bytes);
    }

    @Override
    public void free(MemorySegment memory) {
        freeHost(memory);
    }

    @Override
    public void synchronize() {
    }
}
