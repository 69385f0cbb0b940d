package io.baton.e2e;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * One reading of the inference service's {@code baton.inference.batch.size} histogram, which has a
 * bucket at every size up to max-batch ({@code SegmentMetrics}): the model runs of each size between
 * two readings, exactly.
 *
 * @param sizes      the buckets' sizes, ascending
 * @param cumulative per bucket, the runs with at most that many segments so far
 */
public record BatchSizes(double[] sizes, double[] cumulative) {

    /** The histogram as it stands now. */
    public static BatchSizes read(DistributionSummary batches) {
        CountAtBucket[] buckets = batches.takeSnapshot().histogramCounts();
        return new BatchSizes(Arrays.stream(buckets).mapToDouble(CountAtBucket::bucket).toArray(),
                Arrays.stream(buckets).mapToDouble(CountAtBucket::count).toArray());
    }

    /** Per bucket, the runs of that size since {@code before}. */
    public double[] runsSince(BatchSizes before) {
        return IntStream.range(0, sizes.length).mapToDouble(b -> cumulative[b] - before.cumulative[b]
                - (b > 0 ? cumulative[b - 1] - before.cumulative[b - 1] : 0)).toArray();
    }

    /** The sizes that ran since {@code before} and how often: {@code "1: 14, 2: 6, 8: 26"}. */
    public String describeSince(BatchSizes before) {
        double[] runs = runsSince(before);
        return IntStream.range(0, sizes.length).filter(b -> runs[b] > 0)
                .mapToObj(b -> String.format(Locale.ROOT, "%.0f: %.0f", sizes[b], runs[b]))
                .collect(Collectors.joining(", "));
    }

    /** The mean size of the run each segment ran in since {@code before}, over {@code maxBatch}. */
    public double fillSeenBySegmentSince(BatchSizes before, int maxBatch) {
        double[] runs = runsSince(before);
        double segments = IntStream.range(0, sizes.length).mapToDouble(b -> sizes[b] * runs[b]).sum();
        double squares = IntStream.range(0, sizes.length).mapToDouble(b -> sizes[b] * sizes[b] * runs[b]).sum();
        return squares / segments / maxBatch;
    }

    /** The share of the segments since {@code before} that ran in a run of {@code maxBatch}. */
    public double inFullRunsSince(BatchSizes before, int maxBatch) {
        double[] runs = runsSince(before);
        double segments = IntStream.range(0, sizes.length).mapToDouble(b -> sizes[b] * runs[b]).sum();
        double full = IntStream.range(0, sizes.length).filter(b -> sizes[b] == maxBatch)
                .mapToDouble(b -> maxBatch * runs[b]).sum();
        return full / segments;
    }
}
