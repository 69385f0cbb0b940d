package io.baton.onnx.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A dense tensor {@code OrtValue} this object owns (released by {@link #close()}), with its element type, shape
 * and data pointer read once.
 *
 * <p>The data may be device memory: {@link #address()} is then a CUDA device address, meaningful to CUDA copies
 * and to ONNX Runtime, never to be dereferenced from Java; {@link #hostData()} refuses it.
 */
public final class Tensor implements AutoCloseable {

    private static final FunctionDescriptor CREATE_WITH_DATA =
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS);
    private static final FunctionDescriptor CREATE_ALLOCATED =
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS);

    private static final FunctionDescriptor GET_DIMENSIONS = FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);

    private final OrtRuntime ort;
    private final ElementType type;
    private final long[] shape;
    private final long elements;
    private final long address;
    private final boolean host;
    private MemorySegment value;

    private Tensor(OrtRuntime ort, MemorySegment value) {
        this.ort = ort;
        this.value = value;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            ort.check2(OrtApiSlot.GetTensorTypeAndShape, value, out);
            MemorySegment info = out.get(ADDRESS, 0);
            try {
                MemorySegment n = arena.allocate(JAVA_LONG);
                ort.check2(OrtApiSlot.GetDimensionsCount, info, n);
                int rank = (int) n.get(JAVA_LONG, 0);
                MemorySegment dims = arena.allocate(JAVA_LONG, Math.max(rank, 1));
                ort.check(invoke(ort.handle(OrtApiSlot.GetDimensions, GET_DIMENSIONS), info, dims, rank));
                this.shape = rank == 0 ? new long[0] : dims.asSlice(0, rank * 8L).toArray(JAVA_LONG);
                MemorySegment elementType = arena.allocate(JAVA_INT);
                ort.check2(OrtApiSlot.GetTensorElementType, info, elementType);
                this.type = ElementType.of(elementType.get(JAVA_INT, 0));
            } finally {
                ort.callVoid(OrtApiSlot.ReleaseTensorTypeAndShapeInfo, info);
            }
            this.elements = Arrays.stream(shape).reduce(1L, Math::multiplyExact);
            ort.check2(OrtApiSlot.GetTensorMutableData, value, out);
            this.address = out.get(ADDRESS, 0).address();
            ort.check2(OrtApiSlot.GetTensorMemoryInfo, value, out);
            ort.check2(OrtApiSlot.MemoryInfoGetName, out.get(ADDRESS, 0), out);
            this.host = "Cpu".equals(out.get(ADDRESS, 0).reinterpret(Long.MAX_VALUE).getString(0));
        }
    }

    /** A tensor whose type, shape and data the caller already knows (it just made the value). */
    private Tensor(OrtRuntime ort, MemorySegment value, ElementType type, long[] shape, long address, boolean host) {
        this.ort = ort;
        this.value = value;
        this.type = type;
        this.shape = shape.clone();
        this.elements = Arrays.stream(shape).reduce(1L, Math::multiplyExact);
        this.address = address;
        this.host = host;
    }

    /**
     * A tensor over memory the caller owns ({@code CreateTensorWithDataAsOrtValue}): no copy; {@code data} must
     * stay alive, and at least as large as the shape, until this tensor is closed.
     */
    public static Tensor over(MemoryInfo info, MemorySegment data, ElementType type, long... shape) {
        OrtRuntime ort = OrtRuntime.get();
        long bytes = byteSize(type, shape);
        if (data.byteSize() < bytes) {
            throw new OrtException("a " + type + " tensor of shape " + Arrays.toString(shape) + " needs " + bytes
                    + " bytes, the memory has " + data.byteSize());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            MemorySegment dims = arena.allocateFrom(JAVA_LONG, shape);
            try {
                ort.check((MemorySegment) ort.handle(OrtApiSlot.CreateTensorWithDataAsOrtValue, CREATE_WITH_DATA)
                        .invokeExact(info.handle(), data, bytes, dims, (long) shape.length, type.onnxType(), out));
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new OrtException("CreateTensorWithDataAsOrtValue failed: " + t, t);
            }
            return new Tensor(ort, out.get(ADDRESS, 0), type, shape, data.address(), info.isHost());
        }
    }

    /** A tensor whose memory ONNX Runtime allocates with {@code allocator} ({@code CreateTensorAsOrtValue}); not zeroed. */
    public static Tensor allocate(Allocator allocator, ElementType type, long... shape) {
        OrtRuntime ort = OrtRuntime.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            MemorySegment dims = arena.allocateFrom(JAVA_LONG, shape);
            try {
                ort.check((MemorySegment) ort.handle(OrtApiSlot.CreateTensorAsOrtValue, CREATE_ALLOCATED)
                        .invokeExact(allocator.handle(), dims, (long) shape.length, type.onnxType(), out));
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new OrtException("CreateTensorAsOrtValue failed: " + t, t);
            }
            MemorySegment value = out.get(ADDRESS, 0);
            try {
                ort.check2(OrtApiSlot.GetTensorMutableData, value, out);
            } catch (RuntimeException e) {
                ort.callVoid(OrtApiSlot.ReleaseValue, value);
                throw e;
            }
            return new Tensor(ort, value, type, shape, out.get(ADDRESS, 0).address(), allocator.isHost());
        }
    }

    /** Takes ownership of an {@code OrtValue*} ONNX Runtime handed out (a bound output). */
    static Tensor adopt(OrtRuntime ort, MemorySegment value) {
        try {
            return new Tensor(ort, value);
        } catch (RuntimeException e) {
            ort.callVoid(OrtApiSlot.ReleaseValue, value);
            throw e;
        }
    }

    private static MemorySegment invoke(java.lang.invoke.MethodHandle getDimensions, MemorySegment info,
                                        MemorySegment dims, int rank) {
        try {
            return (MemorySegment) getDimensions.invokeExact(info, dims, (long) rank);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new OrtException("GetDimensions failed: " + t, t);
        }
    }

    static long byteSize(ElementType type, long... shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new OrtException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return Math.multiplyExact(n, type.bytes());
    }

    public ElementType elementType() {
        return type;
    }

    public long[] shape() {
        return shape.clone();
    }

    public long elementCount() {
        return elements;
    }

    public long byteSize() {
        return elements * type.bytes();
    }

    /** Whether the data is host memory. */
    public boolean isHost() {
        return host;
    }

    /** The data's address ({@code GetTensorMutableData}): a host or a device address. */
    public long address() {
        checkOpen();
        return address;
    }

    /** The data as a host segment; refused for device memory. Valid until this tensor is closed. */
    public MemorySegment hostData() {
        checkOpen();
        if (!host) {
            throw new OrtException("tensor data is in device memory; copy it to the host first");
        }
        return MemorySegment.ofAddress(address).reinterpret(byteSize());
    }

    MemorySegment handle() {
        checkOpen();
        return value;
    }

    private void checkOpen() {
        if (value == null) {
            throw new OrtException("tensor is closed");
        }
    }

    @Override
    public void close() {
        if (value != null) {
            ort.callVoid(OrtApiSlot.ReleaseValue, value);
            value = null;
        }
    }

    @Override
    public String toString() {
        return type + Arrays.toString(shape) + (host ? " on the host" : " on the device");
    }
}
