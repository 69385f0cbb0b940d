package io.baton.inference.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtSession;
import io.baton.common.state.StateCodec;
import io.baton.common.state.StateContainer;
import io.baton.inference.models.DocumentState;
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
}
