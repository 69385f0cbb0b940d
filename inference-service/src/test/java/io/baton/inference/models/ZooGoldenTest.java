package io.baton.inference.models;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.baton.common.state.StateCodec;
import io.baton.common.state.StateContainer;
import io.baton.common.state.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every committed zoo model, run segment by segment in ONNX Runtime Java with the state fed back
 * as the contract says, reproduces the outputs the Python side recorded in {@code golden/}: the
 * segment-by-segment runs and the whole-document pass.
 */
class ZooGoldenTest {

    static final double TOLERANCE = 1e-4;
    static final List<String> FAMILIES = List.of("conv_attention", "gemma2", "jamba", "linear_attention",
            "longformer", "transformer_xl", "universal");

    static Path zoo() {
        return Path.of(System.getProperty("baton.zoo.dir", "../models/zoo"));
    }

    static List<Path> models() throws IOException {
        try (Stream<Path> dirs = Files.list(zoo())) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("baton-model.json"))).sorted().toList();
        }
    }

    @Test
    void theZooHasOneTinyModelPerFamily() throws IOException {
        List<String> families = new ArrayList<>();
        for (Path dir : models()) {
            families.add(StatePlan.read(dir.resolve("baton-model.json")).family());
        }
        assertThat(families).containsExactlyInAnyOrderElementsOf(FAMILIES);
    }

    @TestFactory
    Stream<DynamicTest> segmentsReproduceTheGoldens() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path dir : models()) {
            for (String run : List.of("segments-64", "segments-ragged")) {
                tests.add(DynamicTest.dynamicTest(dir.getFileName() + " " + run, () -> checkGolden(dir, run)));
            }
        }
        return tests.stream();
    }

    static void checkGolden(Path dir, String run) throws IOException, OrtException {
        StateContainer golden = readGolden(dir.resolve("golden/" + run + ".safetensors"));
        StateContainer whole = readGolden(dir.resolve("golden/whole.safetensors"));
        long[] ids = longs(golden, "input_ids");
        long[] lengths = longs(golden, "segment_lengths");
        assertThat(ids).isEqualTo(longs(whole, "input_ids"));

        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(dir, options)) {
            DocumentState state = model.initialState(1);
            List<FloatTensor> logits = new ArrayList<>();
            List<FloatTensor> hidden = new ArrayList<>();
            int start = 0;
            for (long length : lengths) {
                long[] segment = java.util.Arrays.copyOfRange(ids, start, start + (int) length);
                SegmentOutput out = model.run(segment, state);
                logits.add(out.logits());
                hidden.add(out.lastHiddenState());
                state = out.next();
                start += (int) length;
            }
            assertThat(state.tokens()).isEqualTo(ids.length);
            FloatTensor gotLogits = concatSequence(logits);
            FloatTensor gotHidden = concatSequence(hidden);
            assertThat(gotLogits.maxAbsDifference(floats(golden, "logits"))).as("logits vs " + run)
                    .isLessThanOrEqualTo(TOLERANCE);
            assertThat(gotHidden.maxAbsDifference(floats(golden, "last_hidden_state"))).as("hidden vs " + run)
                    .isLessThanOrEqualTo(TOLERANCE);
            assertThat(gotLogits.maxAbsDifference(floats(whole, "logits"))).as("logits vs whole document")
                    .isLessThanOrEqualTo(TOLERANCE);
        }
    }

    static StateContainer readGolden(Path file) throws IOException {
        return StateCodec.read(ByteBuffer.wrap(Files.readAllBytes(file)));
    }

    static long[] longs(StateContainer container, String name) {
        Tensor t = container.tensor(name).orElseThrow();
        long[] out = new long[(int) t.elementCount()];
        t.data().asLongBuffer().get(out);
        return out;
    }

    static FloatTensor floats(StateContainer container, String name) {
        Tensor t = container.tensor(name).orElseThrow();
        float[] out = new float[(int) t.elementCount()];
        t.data().asFloatBuffer().get(out);
        return new FloatTensor(t.shape(), out);
    }

    /** Concatenates [1, T_i, C] tensors along the sequence axis. */
    static FloatTensor concatSequence(List<FloatTensor> parts) {
        long channels = parts.get(0).shape()[2];
        long total = parts.stream().mapToLong(p -> p.shape()[1]).sum();
        float[] values = new float[(int) (total * channels)];
        int at = 0;
        for (FloatTensor p : parts) {
            System.arraycopy(p.values(), 0, values, at, p.values().length);
            at += p.values().length;
        }
        return new FloatTensor(new long[] {1, total, channels}, values);
    }
}
