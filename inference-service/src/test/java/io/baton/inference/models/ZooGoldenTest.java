package io.baton.inference.models;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.baton.common.state.StateContainer;
import java.io.IOException;
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
            if (dir.getFileName().toString().endsWith("-tiny")) {          // trained models sit beside them
                families.add(StatePlan.read(dir.resolve("baton-model.json")).family());
            }
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
        StateContainer golden = Goldens.read(dir.resolve("golden/" + run + ".safetensors"));
        StateContainer whole = Goldens.read(dir.resolve("golden/whole.safetensors"));
        long[] ids = Goldens.longs(golden, "input_ids");
        long[] lengths = Goldens.longs(golden, "segment_lengths");
        assertThat(ids).isEqualTo(Goldens.longs(whole, "input_ids"));

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
            FloatTensor gotLogits = Goldens.concatSequence(logits);
            FloatTensor gotHidden = Goldens.concatSequence(hidden);
            assertThat(gotLogits.maxAbsDifference(Goldens.floats(golden, "logits"))).as("logits vs " + run)
                    .isLessThanOrEqualTo(TOLERANCE);
            assertThat(gotHidden.maxAbsDifference(Goldens.floats(golden, "last_hidden_state"))).as("hidden vs " + run)
                    .isLessThanOrEqualTo(TOLERANCE);
            assertThat(gotLogits.maxAbsDifference(Goldens.floats(whole, "logits"))).as("logits vs whole document")
                    .isLessThanOrEqualTo(TOLERANCE);
        }
    }
}
