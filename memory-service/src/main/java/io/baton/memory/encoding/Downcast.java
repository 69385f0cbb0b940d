package io.baton.memory.encoding;

import io.baton.common.state.DType;
import java.util.Locale;

/**
 * Lossy narrowing of F32 tensors for storage ({@code baton.encoding.downcast}). Each value is
 * rounded to nearest, ties to even; reading widens it back to F32 exactly, so the only error is
 * that one rounding:
 * <ul>
 *   <li>{@link #F16}: relative error at most 2^-11 (4.9e-4) for magnitudes in [2^-14, 65504]
 *       (6.1e-5 to 65504); absolute error at most 2^-25 (3.0e-8) below 2^-14.
 *   <li>{@link #BF16}: relative error at most 2^-8 (3.9e-3) for normal floats (2^-126 and up);
 *       absolute error at most 2^-134 below.
 * </ul>
 * A tensor holding a finite value that the narrow type cannot represent (|x| >= 65520 for F16,
 * within half an ulp of Float.MAX_VALUE for BF16) is kept F32, whole, so no value ever turns into
 * an infinity. NaN, infinities and signed zeros survive.
 */
public enum Downcast {

    /** F32 tensors are stored as they are. */
    NONE(null),
    /** F32 tensors are stored as IEEE half precision. */
    F16(DType.F16),
    /** F32 tensors are stored as bfloat16. */
    BF16(DType.BF16);

    private final DType narrow;

    Downcast(DType narrow) {
        this.narrow = narrow;
    }

    /** The stored dtype of a downcast F32 tensor; null for {@link #NONE}. */
    public DType narrow() {
        return narrow;
    }

    /** The configuration name: {@code none}, {@code f16} or {@code bf16}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The downcast named {@code name} (case-insensitive).
     *
     * @throws IllegalArgumentException for any other name
     */
    public static Downcast parse(String name) {
        for (Downcast downcast : values()) {
            if (downcast.configName().equalsIgnoreCase(name)) {
                return downcast;
            }
        }
        throw new IllegalArgumentException("baton.encoding.downcast must be none, f16 or bf16, not '"
                + name + "'");
    }

    /** The narrow bits of {@code value}. */
    short narrow(float value) {
        return this == F16 ? Float16.fromFloat(value) : BFloat16.fromFloat(value);
    }

    /** The float of the narrow bits {@code bits} (exact). */
    float widen(short bits) {
        return this == F16 ? Float16.toFloat(bits) : BFloat16.toFloat(bits);
    }

    /** Whether {@code value} is finite but would become an infinity. */
    boolean overflows(float value) {
        return this == F16 ? Float16.overflows(value) : BFloat16.overflows(value);
    }
}
