package io.baton.common.state;

import java.util.Optional;

/**
 * Element types of a tensor, named as in the safetensors header ({@code "dtype": "F32"}).
 * Every element is stored little-endian in {@link #byteSize()} bytes.
 */
public enum DType {
    BOOL(1),
    U8(1),
    I8(1),
    F8_E4M3(1),
    F8_E5M2(1),
    U16(2),
    I16(2),
    F16(2),
    BF16(2),
    U32(4),
    I32(4),
    F32(4),
    U64(8),
    I64(8),
    F64(8);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The type whose header name is {@code name} (case-sensitive), if there is one. */
    public static Optional<DType> fromName(String name) {
        for (DType type : values()) {
            if (type.name().equals(name)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
