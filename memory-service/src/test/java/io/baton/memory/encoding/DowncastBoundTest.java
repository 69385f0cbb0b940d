package io.baton.memory.encoding;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Measures the error of a downcast round trip (narrow, then widen) over a million log-uniform
 * values of each sign, and checks it against the bound that {@link Downcast} and
 * docs/state-encoding.md state: the bound holds, and is reached to within 1%.
 */
class DowncastBoundTest {

    private static final int SAMPLES = 1_000_000;

    @Test
    void f16RelativeErrorIsAtMostTwoToTheMinus11AcrossTheNormalRange() {
        double worst = worstRelativeError(Downcast.F16, Float16.MIN_NORMAL, Float16.MAX_VALUE);
        assertThat(worst).isLessThanOrEqualTo(0x1.0p-11).isGreaterThan(0.99 * 0x1.0p-11);
    }

    @Test
    void f16AbsoluteErrorBelowTheNormalRangeIsAtMostTwoToTheMinus25() {
        Random random = new Random(7);
        double worst = 0;
        for (int i = 0; i < SAMPLES; i++) {
            float value = (random.nextFloat() * 2 - 1) * Float16.MIN_NORMAL;
            worst = Math.max(worst, Math.abs((double) roundTrip(Downcast.F16, value) - value));
        }
        assertThat(worst).isLessThanOrEqualTo(0x1.0p-25).isGreaterThan(0.99 * 0x1.0p-25);
    }

    @Test
    void bf16RelativeErrorIsAtMostTwoToTheMinus8AcrossTheNormalRange() {
        double worst = worstRelativeError(Downcast.BF16, Float.MIN_NORMAL, 3.0e38f);
        assertThat(worst).isLessThanOrEqualTo(0x1.0p-8).isGreaterThan(0.99 * 0x1.0p-8);
    }

    private static double worstRelativeError(Downcast downcast, float min, float max) {
        Random random = new Random(5);
        double logMin = Math.log(min);
        double logMax = Math.log(max);
        double worst = 0;
        for (int i = 0; i < SAMPLES; i++) {
            float value = (float) Math.exp(logMin + random.nextDouble() * (logMax - logMin));
            if (value < min || value > max) {
                continue;
            }
            value = random.nextBoolean() ? value : -value;
            double error = Math.abs((double) roundTrip(downcast, value) - value) / Math.abs(value);
            worst = Math.max(worst, error);
        }
        return worst;
    }

    private static float roundTrip(Downcast downcast, float value) {
        return downcast.widen(downcast.narrow(value));
    }
}
