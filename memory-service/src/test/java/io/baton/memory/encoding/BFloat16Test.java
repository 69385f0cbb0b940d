package io.baton.memory.encoding;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** bfloat16 conversions: exact widening, round to nearest even, overflow and specials. */
class BFloat16Test {

    @Test
    void everyBfloat16WidensExactlyAndNarrowsBackToItself() {
        for (int bits = 0; bits <= 0xffff; bits++) {
            float value = BFloat16.toFloat((short) bits);
            if (Float.isNaN(value)) {
                assertThat(BFloat16.toFloat(BFloat16.fromFloat(value))).isNaN();
            } else {
                assertThat(BFloat16.fromFloat(value) & 0xffff).as("bf16 %04x", bits).isEqualTo(bits);
            }
        }
    }

    @Test
    void tiesGoToEvenAndEverythingElseToTheNearest() {
        for (int bits = 0; bits < 0x7f7f; bits += 7) {
            float low = BFloat16.toFloat((short) bits);
            float high = BFloat16.toFloat((short) (bits + 1));
            float mid = (float) (((double) low + high) / 2);
            int even = (bits & 1) == 0 ? bits : bits + 1;
            assertThat(BFloat16.fromFloat(mid) & 0xffff).isEqualTo(even);
            assertThat(BFloat16.fromFloat(Math.nextDown(mid)) & 0xffff).isEqualTo(bits);
            assertThat(BFloat16.fromFloat(Math.nextUp(mid)) & 0xffff).isEqualTo(bits + 1);
        }
        assertThat(BFloat16.fromFloat(1f)).isEqualTo((short) 0x3f80);
        assertThat(BFloat16.fromFloat(1f + 0x1.0p-8f)).isEqualTo((short) 0x3f80);
        assertThat(BFloat16.fromFloat(1f + 3 * 0x1.0p-8f)).isEqualTo((short) 0x3f82);
    }

    @Test
    void overflowAndSpecials() {
        float largest = BFloat16.toFloat((short) 0x7f7f);
        assertThat(BFloat16.overflows(largest)).isFalse();
        assertThat(BFloat16.overflows(Float.MAX_VALUE)).isTrue();
        assertThat(BFloat16.overflows(-Float.MAX_VALUE)).isTrue();
        assertThat(BFloat16.overflows(Float.POSITIVE_INFINITY)).isFalse();
        assertThat(BFloat16.toFloat(BFloat16.fromFloat(Float.NaN))).isNaN();
        assertThat(BFloat16.toFloat(BFloat16.fromFloat(Float.intBitsToFloat(0x7f800001)))).isNaN();
        assertThat(BFloat16.toFloat(BFloat16.fromFloat(Float.NEGATIVE_INFINITY))).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(Float.floatToRawIntBits(BFloat16.toFloat(BFloat16.fromFloat(-0f)))).isEqualTo(Float.floatToRawIntBits(-0f));
    }
}
