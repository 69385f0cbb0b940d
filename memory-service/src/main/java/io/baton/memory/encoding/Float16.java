package io.baton.memory.encoding;

/**
 * IEEE 754 binary16 ("half", safetensors {@code F16}) conversions, written out because {@code
 * Float.floatToFloat16} only arrived in Java 20.
 *
 * <p>{@link #fromFloat} rounds to nearest, ties to even, as IEEE 754 and {@code
 * Float.floatToFloat16} do: finite values of magnitude 65520 and beyond become infinities,
 * values below 2^-25 become (signed) zeros, values in between 2^-25 and 2^-14 become subnormals.
 * NaN stays NaN (quiet, sign and top payload bits kept), infinities and signed zeros are kept.
 * {@link #toFloat} is exact: every half is a float.
 */
public final class Float16 {

    /** The largest finite half, 65504. */
    public static final float MAX_VALUE = 65504f;

    /** The smallest positive normal half, 2^-14 (about 6.1e-5). */
    public static final float MIN_NORMAL = 0x1.0p-14f;

    private static final int SIGN = 0x8000;
    private static final int INFINITY = 0x7c00;
    private static final int QUIET = 0x0200;

    private Float16() {
    }

    /** The half nearest to {@code value} (ties to even), as its 16 bits. */
    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & SIGN;
        int exponent = (bits >>> 23) & 0xff;
        int mantissa = bits & 0x7fffff;
        if (exponent == 0xff) {
            // infinity, or NaN made quiet with its top payload bits kept
            return (short) (sign | INFINITY | (mantissa == 0 ? 0 : QUIET | (mantissa >>> 13)));
        }
        int halfExponent = exponent - 127 + 15;
        if (halfExponent >= 0x1f) {
            return (short) (sign | INFINITY);
        }
        if (halfExponent <= 0) {
            // subnormal half (or zero): shift the significand, implicit bit included, into place
            if (halfExponent < -10) {
                return (short) sign;
            }
            int significand = mantissa | 0x800000;
            int shift = 14 - halfExponent;
            return (short) (sign | roundShift(significand, shift));
        }
        // normal half; a carry out of the mantissa correctly bumps the exponent (up to infinity)
        int shifted = (halfExponent << 10) | (mantissa >>> 13);
        int rest = mantissa & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (shifted & 1) != 0)) {
            shifted++;
        }
        return (short) (sign | shifted);
    }

    /** {@code value >>> shift}, rounded to nearest, ties to even. */
    private static int roundShift(int value, int shift) {
        int kept = value >>> shift;
        int rest = value & ((1 << shift) - 1);
        int halfway = 1 << (shift - 1);
        if (rest > halfway || (rest == halfway && (kept & 1) != 0)) {
            kept++;
        }
        return kept;
    }

    /** The float equal to the half {@code bits} (exact). */
    public static float toFloat(short bits) {
        int half = bits & 0xffff;
        int sign = (half & SIGN) << 16;
        int exponent = (half >>> 10) & 0x1f;
        int mantissa = half & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // zero or subnormal: mantissa * 2^-24, exact in float
            float magnitude = mantissa * 0x1.0p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }

    /** Whether {@code value} is finite but would become an infinity as a half. */
    public static boolean overflows(float value) {
        return Float.isFinite(value) && (fromFloat(value) & 0x7fff) == INFINITY;
    }
}
