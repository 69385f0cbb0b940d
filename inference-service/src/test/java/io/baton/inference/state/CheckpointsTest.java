package io.baton.inference.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtSession;
import io.baton.common.state.StateCodec;
import io.baton.common.state.StateContainer;
import io.baton.inference.models.DocumentState;
import io.baton.inference.models.FloatTensor;
import io.baton.inference.models.SegmentModel;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A document's state survives the checkpoint container bit for bit, and only for its own model. */
class CheckpointsTest {

    static Path zoo(String name) {
        return Path.of(System.getProperty("baton.zoo.dir", "../models/zoo")).resolve(name);
    }

    @Test
    void roundTripsTheStateWithItsMetadata() throws Exception {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(zoo("jamba-tiny"), options)) {
            DocumentState state = model.run(new long[] {84, 104, 101, 32, 119, 104, 97, 108, 101}, model.initialState(1)).next();
            byte[] bytes = Checkpoints.encode(model, new CheckpointId("acme", "moby", 0), state);

            StateContainer container = StateCodec.read(ByteBuffer.wrap(bytes));
            assertThat(container.metadata()).containsEntry("baton.format", "1")
                    .containsEntry("baton.model", "jamba-tiny").containsEntry("baton.model_digest", model.digest())
                    .containsEntry("baton.tenant", "acme").containsEntry("baton.document", "moby")
                    .containsEntry("baton.segment", "0").containsEntry("baton.tokens", "9");
            assertThat(container.metadata("baton.retention").orElseThrow())
                    .contains("past_conv.0=replace").contains("past_key_values.2.key=window:96+0");

            DocumentState back = Checkpoints.decode(model, bytes);
            assertThat(back.tokens()).isEqualTo(9);
            assertThat(back.tensors()).isEqualTo(state.tensors());
        }
    }

    @Test
    void refusesTheStateOfAnotherModel() throws Exception {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel gemma = SegmentModel.load(zoo("gemma2-tiny"), options);
             SegmentModel xl = SegmentModel.load(zoo("transformer_xl-tiny"), options)) {
            byte[] bytes = Checkpoints.encode(gemma, new CheckpointId("acme", "d", 0),
                    gemma.run(new long[] {65, 66}, gemma.initialState(1)).next());
            assertThatThrownBy(() -> Checkpoints.decode(xl, bytes))
                    .isInstanceOf(StateMismatchException.class)
                    .hasMessageContaining("gemma2-tiny").hasMessageContaining("transformer_xl-tiny");
        }
    }

    @Test
    void carriesAPastThatGrowsAndRefusesOneLongerThanItsWindow() throws Exception {
        Path hub = Path.of("src/test/resources/hub-style");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(hub, options, 24)) {
            CheckpointId id = new CheckpointId("acme", "hub", 0);
            DocumentState early = model.run(new long[] {1, 2, 3, 4, 5}, model.initialState(1)).next();
            byte[] bytes = Checkpoints.encode(model, id, early);
            assertThat(StateCodec.read(ByteBuffer.wrap(bytes)).metadata("baton.retention").orElseThrow())
                    .contains("past_key_values.0.key=growing-window:16+0").contains("past_conv.1=replace");
            DocumentState back = Checkpoints.decode(model, bytes);
            assertThat(back.tensors()).isEqualTo(early.tensors());
            assertThat(back.tensors().get("past_key_values.2.key").shape()).containsExactly(1, 1, 5, 8);

            // A past of 20 slots fits the global layer (24) but not the sliding one (16).
            java.util.Map<String, FloatTensor> tensors = new java.util.LinkedHashMap<>(early.tensors());
            tensors.put("past_key_values.0.key", FloatTensor.zeros(1, 1, 20, 8));
            byte[] tooLong = Checkpoints.encode(model, id, new DocumentState(20, tensors));
            assertThatThrownBy(() -> Checkpoints.decode(model, tooLong))
                    .isInstanceOf(StateMismatchException.class)
                    .hasMessageContaining("past_key_values.0.key").hasMessageContaining("up to 16 slots");
        }
    }
}
