package io.baton.memory.encoding;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Half-precision conversions: exact widening, round to nearest even, overflow and specials. */
class Float16Test {

    @Test
    void everyHalfWidensExactlyAndNarrowsBackToItself() {
        for (int bits = 0; bits <= 0xffff; bits++) {
            float value = Float16.toFloat((short) bits);
            if (Float.isNaN(value)) {
                assertThat(Float16.fromFloat(value) & 0x7c00).isEqualTo(0x7c00);
                assertThat(Float16.fromFloat(value) & 0x3ff).isNotZero();
            } else {
                assertThat(Float16.fromFloat(value) & 0xffff).as("half %04x", bits).isEqualTo(bits);
            }
        }
    }

    @Test
    void knownValues() {
        assertThat(Float16.fromFloat(1f)).isEqualTo((short) 0x3c00);
        assertThat(Float16.fromFloat(-2f)).isEqualTo((short) 0xc000);
        assertThat(Float16.fromFloat(65504f)).isEqualTo((short) 0x7bff);
        assertThat(Float16.fromFloat(0x1.0p-14f)).isEqualTo((short) 0x0400);
        assertThat(Float16.fromFloat(0x1.0p-24f)).isEqualTo((short) 0x0001);
        assertThat(Float16.toFloat((short) 0x0001)).isEqualTo(0x1.0p-24f);
        assertThat(Float16.toFloat((short) 0x3555)).isEqualTo(0.333251953125f);
        assertThat(Float16.fromFloat(1f / 3)).isEqualTo((short) 0x3555);
    }

    @Test
    void tiesGoToEven() {
        // 1 + 2^-11 lies halfway between 1 (even mantissa) and 1 + 2^-10: down to 1
        assertThat(Float16.fromFloat(1f + 0x1.0p-11f)).isEqualTo((short) 0x3c00);
        // 1 + 3 * 2^-11 lies halfway between 1 + 2^-10 (odd) and 1 + 2^-9: up
        assertThat(Float16.fromFloat(1f + 3 * 0x1.0p-11f)).isEqualTo((short) 0x3c02);
        // just above the tie rounds up
        assertThat(Float16.fromFloat(Math.nextUp(1f + 0x1.0p-11f))).isEqualTo((short) 0x3c01);
        // subnormal ties: 2^-25 is halfway between 0 and 2^-24: to 0; 3 * 2^-25 to 2 * 2^-24
        assertThat(Float16.fromFloat(0x1.0p-25f)).isEqualTo((short) 0);
        assertThat(Float16.fromFloat(3 * 0x1.0p-25f)).isEqualTo((short) 2);
        assertThat(Float16.fromFloat(Math.nextUp(0x1.0p-25f))).isEqualTo((short) 1);
        assertThat(Float16.fromFloat(-0x1.0p-26f)).isEqualTo((short) 0x8000);
    }

    @Test
    void everyMidpointAndItsNeighboursRoundToTheNearestHalf() {
        for (int bits = 0; bits < 0x7bff; bits++) {
            double low = Float16.toFloat((short) bits);
            double high = Float16.toFloat((short) (bits + 1));
            float mid = (float) ((low + high) / 2);
            // midpoints are exact floats: ties go to the even one of the two
            int even = (bits & 1) == 0 ? bits : bits + 1;
            assertThat(Float16.fromFloat(mid) & 0xffff).as("midpoint above %04x", bits).isEqualTo(even);
            assertThat(Float16.fromFloat(Math.nextDown(mid)) & 0xffff).isEqualTo(bits);
            assertThat(Float16.fromFloat(Math.nextUp(mid)) & 0xffff).isEqualTo(bits + 1);
            assertThat(Float16.fromFloat(-Math.nextUp(mid)) & 0xffff).isEqualTo(0x8000 | (bits + 1));
        }
    }

    @Test
    void randomFloatsRoundToANearestHalf() {
        Random random = new Random(11);
        for (int i = 0; i < 1_000_000; i++) {
            float value = Float.intBitsToFloat(random.nextInt());
            if (!Float.isFinite(value) || Float16.overflows(value)) {
                continue;
            }
            short half = Float16.fromFloat(value);
            double error = Math.abs((double) Float16.toFloat(half) - value);
            int magnitude = half & 0x7fff;
            if (magnitude > 0) {
                assertThat(error).isLessThanOrEqualTo(Math.abs((double) Float16.toFloat((short) (magnitude - 1)) - Math.abs(value)));
            }
            if (magnitude < 0x7bff) {
                assertThat(error).isLessThanOrEqualTo(Math.abs((double) Float16.toFloat((short) (magnitude + 1)) - Math.abs(value)));
            }
        }
    }

    @Test
    void overflowAndSpecials() {
        assertThat(Float16.overflows(65504f)).isFalse();
        assertThat(Float16.overflows(65519.99f)).isFalse();
        assertThat(Float16.fromFloat(65519.99f)).isEqualTo((short) 0x7bff);
        assertThat(Float16.overflows(65520f)).isTrue();
        assertThat(Float16.overflows(-1e10f)).isTrue();
        assertThat(Float16.overflows(Float.POSITIVE_INFINITY)).isFalse();
        assertThat(Float16.overflows(Float.NaN)).isFalse();
        assertThat(Float16.fromFloat(65520f)).isEqualTo((short) 0x7c00);
        assertThat(Float16.toFloat(Float16.fromFloat(Float.NEGATIVE_INFINITY))).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(Float16.toFloat(Float16.fromFloat(Float.NaN))).isNaN();
        assertThat(Float.floatToRawIntBits(Float16.toFloat(Float16.fromFloat(-0f)))).isEqualTo(Float.floatToRawIntBits(-0f));
        assertThat(Float16.fromFloat(Float.MIN_VALUE)).isEqualTo((short) 0);
    }
}
