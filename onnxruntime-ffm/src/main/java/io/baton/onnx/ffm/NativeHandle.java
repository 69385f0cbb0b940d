package io.baton.onnx.ffm;

import java.lang.foreign.MemorySegment;

/**
 * One ONNX Runtime object owned by a Java wrapper: its address until {@link #release()} hands it to its
 * {@code Release*} entry (once; later releases do nothing), after which {@link #get()} refuses with "WHAT is
 * closed".
 */
final class NativeHandle {

    private final OrtRuntime ort;
    private final OrtApiSlot release;
    private final String what;
    private MemorySegment address;

    NativeHandle(OrtRuntime ort, MemorySegment address, OrtApiSlot release, String what) {
        this.ort = ort;
        this.address = address;
        this.release = release;
        this.what = what;
    }

    MemorySegment get() {
        if (address == null) {
            throw new OrtException(what + " is closed");
        }
        return address;
    }

    /** Releases the object; true the first time. */
    boolean release() {
        if (address == null) {
            return false;
        }
        ort.callVoid(release, address);
        address = null;
        return true;
    }
}
