package io.baton.onnx.ffm;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link SpanMeans} alone, on the CPU: each row's means over its own spans (rows with different span counts, one
 * with none, single positions and the whole row), the same whether the weights go in one run or in runs of one or
 * two spans (a small weight budget, as a batch of long segments with many sentences gets), and a span outside the
 * values refused before any run.
 */
class SpanMeansTest {

    static final int BATCH = 3;
    static final int LENGTH = 10;
    static final int WIDTH = 4;

    @Test
    void eachRowsMeansOverItsSpansInAnyNumberOfRuns() {
        int[][][] spans = {{{0, 10}, {3, 4}, {2, 7}}, {}, {{9, 10}, {0, 1}, {0, 5}, {5, 10}, {4, 6}}};
        float[] values = new float[BATCH * LENGTH * WIDTH];
        Random random = new Random(7);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian() * 3;
        }
        long perSpan = (long) BATCH * LENGTH * Float.BYTES;
        try (Session model = Session.open(OrtApiSlotTest.ZOO.resolve("jamba-tiny").resolve("model.onnx"),
                     SessionConfig.cpu(1));
             Arena arena = Arena.ofConfined();
             MemoryInfo cpu = MemoryInfo.cpu()) {
            MemorySegment data = arena.allocate(JAVA_FLOAT, values.length);
            MemorySegment.copy(values, 0, data, JAVA_FLOAT, 0, values.length);
            try (Tensor tensor = Tensor.over(cpu, data, ElementType.FLOAT, BATCH, LENGTH, WIDTH)) {
                for (long budget : new long[] {SpanMeans.WEIGHT_BYTES, perSpan, 2 * perSpan}) {
                    try (SpanMeans means = SpanMeans.like(model, budget)) {
                        float[][] got = means.means(tensor, List.of(spans));
                        for (int b = 0; b < BATCH; b++) {
                            float[] row = Arrays.copyOfRange(values, b * LENGTH * WIDTH, (b + 1) * LENGTH * WIDTH);
                            ResidentStatesTest.assertWithin("row " + b + ", " + budget + " bytes a run", got[b],
                                    ResidentStatesTest.hostMeans(row, WIDTH, spans[b]), 1e-5);
                        }
                        assertThatThrownBy(() -> means.means(tensor, List.of(new int[][] {{0, 11}}, new int[0][],
                                new int[0][]))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[0, 11]");
                        assertThatThrownBy(() -> means.means(tensor, List.of(new int[][] {{4, 4}}, new int[0][],
                                new int[0][]))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-empty");
                    }
                }
            }
        }
    }
}
