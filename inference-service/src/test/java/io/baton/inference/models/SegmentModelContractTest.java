package io.baton.inference.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Models that break the contract are refused with a message that names what is wrong. */
class SegmentModelContractTest {

    @Test
    void refusesAPastInputWithoutItsPresentOutput() throws OrtException {
        Path folder = Path.of("src/test/resources/contract/past-without-present");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            assertThatThrownBy(() -> SegmentModel.load(folder, options))
                    .isInstanceOf(ModelContractException.class)
                    .hasMessageContaining("'past_conv.0'")
                    .hasMessageContaining("'present_conv.0'");
        }
    }

    @Test
    void refusesTargetIdsWithoutTokenNll() throws OrtException {
        Path folder = Path.of("src/test/resources/contract/targets-without-token-nll");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            assertThatThrownBy(() -> SegmentModel.load(folder, options))
                    .isInstanceOf(ModelContractException.class)
                    .hasMessageContaining("input 'target_ids' but no output 'token_nll'");
        }
    }

    @Test
    void namesPresentOutputsByTheHubConvention() {
        assertThat(StatePlan.presentNameFor("past_key_values.3.key")).isEqualTo("present.3.key");
        assertThat(StatePlan.presentNameFor("past_conv.0")).isEqualTo("present_conv.0");
        assertThat(StatePlan.presentNameFor("past_ssm.12")).isEqualTo("present_ssm.12");
        assertThat(StatePlan.presentNameFor("past_recurrent.1")).isEqualTo("present_recurrent.1");
    }

    @Test
    void windowRetentionKeepsPinnedAndLastSlots() {
        // [1, 1, 6, 2]: slots 0..5 with values 10*slot + d
        float[] values = new float[12];
        for (int slot = 0; slot < 6; slot++) {
            values[2 * slot] = 10 * slot;
            values[2 * slot + 1] = 10 * slot + 1;
        }
        FloatTensor kept = new Retention(Retention.Policy.WINDOW, 3, 1, 2)
                .apply(new FloatTensor(new long[] {1, 1, 6, 2}, values));
        assertThat(kept.shape()).containsExactly(1, 1, 4, 2);
        assertThat(kept.values()).containsExactly(0, 1, 30, 31, 40, 41, 50, 51);
    }

    @Test
    void aGrowingWindowKeepsEverythingUntilItIsFullThenTheLastSlots() {
        Retention growing = Retention.growingWindow(3, 2);
        FloatTensor two = new FloatTensor(new long[] {1, 1, 2, 1}, new float[] {7, 8});
        assertThat(growing.apply(two)).isEqualTo(two);
        FloatTensor five = new FloatTensor(new long[] {1, 1, 5, 1}, new float[] {1, 2, 3, 4, 5});
        assertThat(growing.apply(five).values()).containsExactly(3, 4, 5);
        assertThat(growing.apply(FloatTensor.zeros(1, 1, 0, 4)).shape()).containsExactly(1, 1, 0, 4);
    }

    @Test
    void padsInFrontAndNarrowsAlongAnAxis() {
        FloatTensor t = new FloatTensor(new long[] {2, 2, 1}, new float[] {1, 2, 3, 4});
        FloatTensor padded = t.padFront(1, 3);
        assertThat(padded.shape()).containsExactly(2, 3, 1);
        assertThat(padded.values()).containsExactly(0, 1, 2, 0, 3, 4);
        assertThat(padded.narrow(1, 1, 2)).isEqualTo(t);
    }
}
