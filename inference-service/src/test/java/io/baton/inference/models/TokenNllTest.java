package io.baton.inference.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.baton.common.state.StateContainer;
import io.baton.inference.models.SegmentModel.Fetch;
import io.baton.inference.segments.Readouts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The graph's {@code token_nll} (docs/model-contract.md): for every zoo model, a run that fetches
 * it gives what Java computes from the logits of the same segment ({@link Readouts#tokenNll(
 * FloatTensor, long[], long)}, in double) within {@value #TOLERANCE} nats, copies no logits out,
 * and leaves the same state and hidden states; an export made before the graph computed it still
 * runs, scored from its logits.
 */
class TokenNllTest {

    /**
     * The graph's float32 LogSoftmax against Java's double sum over the same float32 logits: the
     * largest difference seen over the zoo is 2.6e-6 (a float32 ReduceLogSumExp in the graph was
     * 2.9e-5 off for the trained models, vocabulary 4,096).
     */
    static final double TOLERANCE = 1e-5;

    /** gemma2-tiny as exported before token_nll existed (models.token_nll.old_style_folder). */
    static final Path OLD_STYLE = Path.of("src/test/resources/before-token-nll/gemma2-tiny");

    @TestFactory
    Stream<DynamicTest> theGraphScoresAsJavaDoesFromTheLogits() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path dir : ZooGoldenTest.models()) {
            tests.add(DynamicTest.dynamicTest(dir.getFileName().toString(), () -> checkModel(dir)));
        }
        return tests.stream();
    }

    /** The ragged golden split, state carried; each segment's last position scores the next segment's first token. */
    static void checkModel(Path dir) throws IOException, OrtException {
        StateContainer golden = Goldens.read(dir.resolve("golden/segments-ragged.safetensors"));
        long[] ids = Goldens.longs(golden, "input_ids");
        long[] lengths = Goldens.longs(golden, "segment_lengths");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(dir, options)) {
            assertThat(model.hasTokenNll()).isTrue();
            DocumentState state = model.initialState(1);
            int start = 0;
            double worst = 0;
            for (long length : lengths) {
                long[] tokens = Arrays.copyOfRange(ids, start, start + (int) length);
                start += (int) length;
                long next = start < ids.length ? ids[start] : -1;
                SegmentInput input = new SegmentInput(tokens, state, next);
                SegmentOutput scored = model.run(List.of(input), Fetch.TOKEN_NLL).get(0);
                SegmentOutput full = model.run(List.of(input), Fetch.LOGITS).get(0);

                assertThat(scored.logits()).as("logits stay in the runtime").isNull();
                assertThat(scored.tokenNll().shape()).containsExactly(1, length);
                assertThat(full.logits()).isNotNull();
                assertThat(scored.next().tensors()).isEqualTo(full.next().tensors());
                assertThat(scored.lastHiddenState()).isEqualTo(full.lastHiddenState());

                double[] graph = Readouts.tokenNll(scored, tokens, next);
                double[] java = Readouts.tokenNll(full.logits(), tokens, next);
                assertThat(graph).hasSameSizeAs(java).hasSize(next >= 0 ? tokens.length : tokens.length - 1);
                for (int t = 0; t < java.length; t++) {
                    worst = Math.max(worst, Math.abs(graph[t] - java[t]));
                }
                if (next < 0) {
                    assertThat(scored.tokenNll().values()[tokens.length - 1]).as("nothing to score").isZero();
                }
                state = scored.next();
            }
            assertThat(worst).as("token NLL, graph vs Java from the logits").isLessThanOrEqualTo(TOLERANCE);
        }
    }

    @Test
    void documentsInOneBatchAreScoredAsEachAlone() throws Exception {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(ZooGoldenTest.zoo().resolve("jamba-tiny"), options)) {
            DocumentState warm = model.run(new long[] {84, 104, 101, 32}, model.initialState(1)).next();
            List<SegmentInput> inputs = List.of(
                    new SegmentInput(new long[] {119, 104, 97, 108, 101}, model.initialState(1), 32),
                    new SegmentInput(new long[] {115, 104, 105, 112, 115}, warm, -1),
                    new SegmentInput(new long[] {67, 97, 108, 108, 32}, warm, 109));
            List<SegmentOutput> together = model.run(inputs, Fetch.TOKEN_NLL);
            for (int d = 0; d < inputs.size(); d++) {
                SegmentOutput alone = model.run(List.of(inputs.get(d)), Fetch.TOKEN_NLL).get(0);
                assertThat(together.get(d).tokenNll().maxAbsDifference(alone.tokenNll())).as("document %d", d)
                        .isLessThanOrEqualTo(TOLERANCE);
            }
            assertThat(together.get(1).tokenNll().values()[4]).as("no next token: nothing scored").isZero();
            assertThat(together.get(2).tokenNll().values()[4]).as("the next token is scored").isPositive();
        }
    }

    @Test
    void aNextTokenOutsideTheVocabularyIsRefused() throws Exception {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(ZooGoldenTest.zoo().resolve("gemma2-tiny"), options)) {
            SegmentInput input = new SegmentInput(new long[] {72, 105}, model.initialState(1), 256);
            assertThatThrownBy(() -> model.run(List.of(input), Fetch.TOKEN_NLL))
                    .isInstanceOf(InvalidSegmentException.class)
                    .satisfies(e -> assertThat(((InvalidSegmentException) e).reason())
                            .isEqualTo(InvalidSegmentException.Reason.TOKEN_OUT_OF_VOCABULARY));
        }
    }

    @Test
    void theStateMovedIsCountedPerSegment() throws Exception {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(ZooGoldenTest.zoo().resolve("gemma2-tiny"), options)) {
            SegmentInput input = new SegmentInput(new long[] {72, 105, 33}, model.initialState(1));
            SegmentOutput alone = model.run(List.of(input), Fetch.TOKEN_NLL).get(0);
            List<SegmentOutput> three = model.run(List.of(input, input, input), Fetch.TOKEN_NLL);

            // In: every window full of (zero) slots; out: each window plus the segment's 3 tokens.
            long presentBytes = model.plan().state().stream()
                    .mapToLong(s -> s.maxBytes() / s.shape()[s.retention().axis() - 1] * (s.shape()[s.retention().axis() - 1] + 3))
                    .sum();
            assertThat(alone.moved()).isEqualTo(new SegmentOutput.StateBytes(model.plan().stateBytes(), presentBytes));
            assertThat(three).allSatisfy(out -> assertThat(out.moved()).isEqualTo(alone.moved()));
        }
    }

    @Test
    void anExportWithoutTokenNllIsScoredFromItsLogits() throws Exception {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel old = SegmentModel.load(OLD_STYLE, options);
             SegmentModel current = SegmentModel.load(ZooGoldenTest.zoo().resolve("gemma2-tiny"), options)) {
            assertThat(old.hasTokenNll()).isFalse();
            assertThat(old.digest()).as("the graph changed, so states are not shared").isNotEqualTo(current.digest());
            long[] tokens = {67, 97, 108, 108, 32, 109, 101, 32, 73, 115, 104};
            SegmentInput input = new SegmentInput(tokens, old.initialState(1), 109);

            SegmentOutput fromOld = old.run(List.of(input), Fetch.TOKEN_NLL).get(0);
            assertThat(fromOld.tokenNll()).isNull();
            assertThat(fromOld.logits()).as("logits, since the graph scores nothing").isNotNull();
            SegmentOutput fromCurrent = current.run(List.of(input), Fetch.TOKEN_NLL).get(0);
            assertThat(current.run(List.of(input), Fetch.LOGITS).get(0).logits()).isEqualTo(fromOld.logits());
            assertThat(fromOld.next().tensors()).isEqualTo(fromCurrent.next().tensors());

            double[] computed = Readouts.tokenNll(fromOld, tokens, 109);
            double[] graph = Readouts.tokenNll(fromCurrent, tokens, 109);
            assertThat(computed).hasSize(tokens.length).hasSameSizeAs(graph);
            for (int t = 0; t < graph.length; t++) {
                assertThat(Math.abs(computed[t] - graph[t])).as("position %d", t).isLessThanOrEqualTo(TOLERANCE);
            }
        }
    }
}
