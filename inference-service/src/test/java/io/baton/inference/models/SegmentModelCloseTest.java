package io.baton.inference.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Closing a model while its runs are in flight (the service stopping during a batch job): close waits for them,
 * and later runs are refused with a clear error instead of entering a released native session (a use-after-free
 * that once crashed the JVM in libonnxruntime on SIGTERM).
 */
class SegmentModelCloseTest {

    static final Path JAMBA_TINY = ZooGoldenTest.zoo().resolve("jamba-tiny");

    static SegmentInput segment(int seed) {
        long[] ids = new long[64];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (seed * 31 + i * 7) % 200;
        }
        return new SegmentInput(ids, null);
    }

    @Test
    void aRunAfterCloseIsRefusedAndClosingTwiceIsHarmless() throws Exception {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            SegmentModel model = SegmentModel.load(JAMBA_TINY, options);
            SegmentInput input = new SegmentInput(segment(1).tokens(), model.initialState(1));
            assertThat(model.run(List.of(input))).hasSize(1);
            model.close();
            model.close();
            assertThatThrownBy(() -> model.run(List.of(input)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
        }
    }

    @Test
    void closingWhileRunsAreInFlightWaitsForThemAndRefusesTheRest() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            SegmentModel model = SegmentModel.load(JAMBA_TINY, options);
            CountDownLatch ranOnce = new CountDownLatch(2);
            List<Future<int[]>> loops = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int seed = t;
                loops.add(threads.submit(() -> {
                    int done = 0;
                    int refused = 0;
                    DocumentState state = model.initialState(1);
                    for (int k = 0; k < 200 && refused == 0; k++) {
                        try {
                            state = model.run(List.of(new SegmentInput(segment(seed + k).tokens(), state))).get(0).next();
                            if (done++ == 0) {
                                ranOnce.countDown();
                            }
                        } catch (IllegalStateException e) {
                            assertThat(e).hasMessageContaining("is closed");
                            refused++;
                        }
                    }
                    return new int[] {done, refused};
                }));
            }
            // both loops past their first run: from here on, each is inside a run or about to start one
            assertThat(ranOnce.await(30, TimeUnit.SECONDS)).isTrue();
            model.close();
            int refused = 0;
            for (Future<int[]> loop : loops) {
                int[] counts = loop.get(60, TimeUnit.SECONDS);
                refused += counts[1];
            }
            assertThat(refused).as("runs after close refused, every loop stopped by it").isEqualTo(2);
        } finally {
            threads.shutdownNow();
        }
    }
}
