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
 *
 * <p>Each output must agree within {@link #TOLERANCE}, or within {@link #NOISE_FACTOR} times the
 * float32 noise of the reference itself, whichever is larger: the golden segment-by-segment run
 * and the golden whole-document pass are the same computation in another order, and where they
 * differ (by up to 8.6e-5 in {@code jamba-medium}'s logits, whose activations are twice those of
 * the smaller models) no runtime can be asked to match either more closely than that. For every
 * other committed model the references differ by at most 1.5e-5, so {@link #TOLERANCE} is theirs.
 */
class ZooGoldenTest {

    static final double TOLERANCE = 1e-4;
    static final double NOISE_FACTOR = 4;
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

    /** {@link #TOLERANCE}, or {@link #NOISE_FACTOR} times how far the two references differ in {@code output}. */
    static double tolerance(StateContainer segments, StateContainer whole, String output) {
        double noise = Goldens.floats(segments, output).maxAbsDifference(Goldens.floats(whole, output));
        return Math.max(TOLERANCE, NOISE_FACTOR * noise);
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
            double logitsTolerance = tolerance(golden, whole, "logits");
            assertThat(gotLogits.maxAbsDifference(Goldens.floats(golden, "logits"))).as("logits vs " + run)
                    .isLessThanOrEqualTo(logitsTolerance);
            assertThat(gotHidden.maxAbsDifference(Goldens.floats(golden, "last_hidden_state"))).as("hidden vs " + run)
                    .isLessThanOrEqualTo(tolerance(golden, whole, "last_hidden_state"));
            assertThat(gotLogits.maxAbsDifference(Goldens.floats(whole, "logits"))).as("logits vs whole document")
                    .isLessThanOrEqualTo(logitsTolerance);
        }
    }
}
