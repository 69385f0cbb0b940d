package io.baton.common.state;

import io.baton.common.state.StateFormatException.Reason;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * One named tensor of a state container: its element type, its shape and its raw little-endian
 * bytes.
 *
 * <p>The record keeps a read-only view of the bytes it was given (from their position to their
 * limit), not a copy; {@link #data()} returns a fresh little-endian view each call, so callers can
 * move its position freely. A shape of {@code []} is a scalar (one element); a shape with a zero
 * dimension holds no bytes. Equality compares name, dtype, shape and the bytes themselves.
 *
 * @param name  the tensor's name, e.g. {@code present_ssm.3}
 * @param dtype the element type
 * @param shape the dimensions, none negative; the array is copied in and out
 * @param data  exactly product(shape) * dtype size bytes
 * @throws StateFormatException with {@link Reason#SHAPE_MISMATCH} when a dimension is negative
 *     or the byte count does not match the shape
 */
public record Tensor(String name, DType dtype, long[] shape, ByteBuffer data) {

    /** The reserved header key of the metadata object; no tensor may take it. */
    static final String METADATA_KEY = "__metadata__";

    public Tensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        if (name.equals(METADATA_KEY)) {
            throw new IllegalArgumentException("'" + METADATA_KEY + "' is reserved for metadata");
        }
        shape = shape.clone();
        long expected = byteCount(name, dtype, shape);
        if (data.remaining() != expected) {
            throw new StateFormatException(Reason.SHAPE_MISMATCH, "tensor '" + name + "': shape "
                    + Arrays.toString(shape) + " of " + dtype + " needs " + expected
                    + " bytes, got " + data.remaining());
        }
        data = data.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The dimensions (a copy). */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** A read-only little-endian view of the bytes, positioned at 0; a new view each call. */
    @Override
    public ByteBuffer data() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Number of elements: the product of the shape (1 for a scalar). */
    public long elementCount() {
        return data.remaining() / dtype.byteSize();
    }

    /** Number of data bytes. */
    public int byteSize() {
        return data.remaining();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Tensor that
                && name.equals(that.name)
                && dtype == that.dtype
                && Arrays.equals(shape, that.shape)
                && data.equals(that.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), data);
    }

    @Override
    public String toString() {
        return "Tensor[" + name + ", " + dtype + ", " + Arrays.toString(shape) + ", "
                + data.remaining() + " bytes]";
    }

    /** Bytes that {@code shape} of {@code dtype} occupies, after checking every dimension. */
    private static long byteCount(String name, DType dtype, long[] shape) {
        boolean empty = false;
        for (long dim : shape) {
            if (dim < 0) {
                throw new StateFormatException(Reason.SHAPE_MISMATCH, "tensor '" + name
                        + "': negative dimension in shape " + Arrays.toString(shape));
            }
            empty |= dim == 0;
        }
        if (empty) {
            return 0;
        }
        long count = dtype.byteSize();
        for (long dim : shape) {
            try {
                count = Math.multiplyExact(count, dim);
            } catch (ArithmeticException overflow) {
                throw new StateFormatException(Reason.SHAPE_MISMATCH, "tensor '" + name
                        + "': shape " + Arrays.toString(shape) + " overflows a 64-bit size",
                        overflow);
            }
        }
        return count;
    }
}
