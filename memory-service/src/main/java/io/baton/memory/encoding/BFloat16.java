package io.baton.memory.encoding;

/**
 * bfloat16 (safetensors {@code BF16}) conversions: the top 16 bits of a float, so the same
 * exponent range with 8 significant bits instead of 24.
 *
 * <p>{@link #fromFloat} rounds to nearest, ties to even; finite floats beyond the largest bf16
 * (about 3.39e38) by half an ulp or more become infinities. NaN stays NaN (made quiet), infinities
 * and signed zeros are kept. {@link #toFloat} is exact.
 */
public final class BFloat16 {

    private BFloat16() {
    }

    /** The bfloat16 nearest to {@code value} (ties to even), as its 16 bits. */
    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** The float equal to the bfloat16 {@code bits} (exact). */
    public static float toFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** Whether {@code value} is finite but would become an infinity as a bfloat16. */
    public static boolean overflows(float value) {
        return Float.isFinite(value) && Float.isInfinite(toFloat(fromFloat(value)));
    }
}
