package io.baton.inference.segments;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SegmentMetricsTest {

    @Test
    void theBatchSizeHasABucketAtEverySizeUpToMaxBatchSoTheFillIsExact() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SegmentMetrics metrics = new SegmentMetrics(registry, 8);
        for (int size : new int[] {1, 3, 3, 7, 8, 8, 8}) {
            metrics.batch(size);
        }

        CountAtBucket[] buckets = registry.get("baton.inference.batch.size").summary().takeSnapshot().histogramCounts();

        assertThat(Arrays.stream(buckets).mapToDouble(CountAtBucket::bucket).toArray())
                .containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        // cumulative: runs of at most each size
        assertThat(Arrays.stream(buckets).mapToDouble(CountAtBucket::count).toArray())
                .containsExactly(1, 1, 3, 3, 3, 3, 4, 7);
        double segments = 0;
        double squares = 0;
        for (int b = 0; b < buckets.length; b++) {
            double runs = buckets[b].count() - (b > 0 ? buckets[b - 1].count() : 0);
            segments += buckets[b].bucket() * runs;
            squares += buckets[b].bucket() * buckets[b].bucket() * runs;
        }
        assertThat(segments).isEqualTo(38);                      // 1 + 3 + 3 + 7 + 3 x 8
        assertThat(squares / segments).isEqualTo(260.0 / 38);     // (1 + 9 + 9 + 49 + 3 x 64) / 38: the mean run a segment ran in
    }
}
