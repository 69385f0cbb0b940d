package io.baton.inference.segments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.inference.segments.SegmentTimings.Step;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Server-Timing header: steps in their fixed order, then the total, and read back as written. */
class SegmentTimingsTest {

    @Test
    void stepsComeInTheirOrderWithRepeatsAddedAndReadBackAsWritten() {
        SegmentTimings timings = new SegmentTimings();
        timings.add(Step.STORE, 0, 2_000_000);
        timings.add(Step.PREDECESSOR, 0, 3_000_000);
        timings.add(Step.RUN, 0, 1_500_000);
        timings.add(Step.RUN, 0, 500_000);

        Map<String, Double> steps = SegmentTimings.parse(timings.header());

        assertThat(steps.keySet()).containsExactly("run", "predecessor", "store", "total");
        assertThat(steps).containsEntry("run", 2.0).containsEntry("predecessor", 3.0).containsEntry("store", 2.0);
        assertThat(steps.get("total")).isNotNegative();
    }

    @Test
    void anEntryWithoutADurationIsRefused() {
        assertThatThrownBy(() -> SegmentTimings.parse("run;dur=1.000, total"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'total'");
    }
}
