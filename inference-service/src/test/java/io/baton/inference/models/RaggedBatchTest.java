package io.baton.inference.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtSession;
import io.baton.common.state.StateContainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Ragged batches (issue 16): a model whose plan says {@code "ragged": true} runs segments of
 * different lengths as one batch, padded on the right, and each row gets what its segment gets run
 * alone: token NLL, logits, hidden states cut to its own length, and the next state (windows ending
 * at its last real token, positions advanced by its length), segment after segment with the state
 * carried. Every zoo model that declares ragged batches is checked, and a zoo without one fails. A
 * batch of one length is fed exactly as before, and a model without ragged batches still refuses
 * segments of different lengths.
 */
class RaggedBatchTest {

    /** Four documents' segment lengths, round by round: 1 and the full 32 in every round. */
    static final int[][] LENGTHS = {{32, 1, 17, 32}, {5, 32, 32, 1}, {32, 9, 1, 24}};
    /** Where the documents are when the first round starts (each warmed up alone). */
    static final int[] WARMUPS = {0, 40, 97, 13};
    /**
     * A ragged row against the same segment alone, at least. The two runs differ in shape (T = 32
     * vs L_b), so ONNX Runtime's CPU kernels may add a row's terms in another order (vectorised
     * reductions split by length): equal up to float32 rounding, not bit for bit as a batch of one
     * length is ({@link SegmentBatchTest}). The tiny models' rows were at most 1.9e-6 off (logits;
     * 2026-12-05, 61 % of the compared tensors bit for bit).
     */
    static final double TOLERANCE = 1e-5;

    static List<Path> raggedModels() throws IOException {
        List<Path> ragged = new ArrayList<>();
        for (Path dir : ZooGoldenTest.models()) {
            if (StatePlan.read(dir.resolve("baton-model.json")).ragged()) {
                ragged.add(dir);
            }
        }
        assertThat(ragged).as("zoo models in %s whose baton-model.json says \"ragged\": true", ZooGoldenTest.zoo())
                .isNotEmpty();
        return ragged;
    }

    @TestFactory
    Stream<DynamicTest> aRaggedBatchGivesEachRowWhatItsSegmentGivesAlone() throws IOException {
        return raggedModels().stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(),
                () -> checkRagged(dir)));
    }

    static void checkRagged(Path dir) throws Exception {
        long[] text = SegmentBatchTest.ids(SegmentBatchTest.TEXT);
        double tolerance = tolerance(dir);
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(dir, options)) {
            List<DocumentState> batched = new ArrayList<>();
            List<DocumentState> alone = new ArrayList<>();
            for (int d = 0; d < WARMUPS.length; d++) {
                DocumentState state = model.initialState(1);
                if (WARMUPS[d] > 0) {
                    state = model.run(tokens(text, d, 0, WARMUPS[d]), state).next();
                }
                batched.add(state);
                alone.add(state);
            }
            for (int round = 0; round < LENGTHS.length; round++) {
                List<SegmentInput> together = new ArrayList<>();
                List<SegmentInput> single = new ArrayList<>();
                for (int d = 0; d < WARMUPS.length; d++) {
                    long consumed = batched.get(d).tokens();
                    long[] tokens = tokens(text, d, consumed, LENGTHS[round][d]);
                    long next = text[(int) ((d * 31 + consumed + tokens.length) % text.length)];
                    together.add(new SegmentInput(tokens, batched.get(d), next));
                    single.add(new SegmentInput(tokens, alone.get(d), next));
                }
                List<SegmentOutput> scored = model.run(together, SegmentModel.Fetch.TOKEN_NLL);
                List<SegmentOutput> logits = model.run(together, SegmentModel.Fetch.LOGITS);
                for (int d = 0; d < WARMUPS.length; d++) {
                    String what = dir.getFileName() + " round " + round + " document " + d + " (" + LENGTHS[round][d]
                            + " tokens at " + batched.get(d).tokens() + ")";
                    SegmentOutput expected = model.run(List.of(single.get(d)), SegmentModel.Fetch.TOKEN_NLL).get(0);
                    SegmentOutput expectedLogits = model.run(List.of(single.get(d)), SegmentModel.Fetch.LOGITS).get(0);
                    assertClose(what + " token_nll", scored.get(d).tokenNll(), expected.tokenNll(), tolerance);
                    assertClose(what + " logits", logits.get(d).logits(), expectedLogits.logits(), tolerance);
                    assertClose(what + " last_hidden_state", scored.get(d).lastHiddenState(), expected.lastHiddenState(),
                            tolerance);
                    assertThat(scored.get(d).next().tokens()).as(what + ": tokens consumed")
                            .isEqualTo(single.get(d).state().tokens() + LENGTHS[round][d])
                            .isEqualTo(expected.next().tokens());
                    for (Map.Entry<String, FloatTensor> e : expected.next().tensors().entrySet()) {
                        assertClose(what + " next " + e.getKey(), scored.get(d).next().tensors().get(e.getKey()), e.getValue(),
                                tolerance);
                    }
                    batched.set(d, scored.get(d).next());
                    alone.set(d, expected.next());
                }
            }
        }
    }

    /**
     * {@link #TOLERANCE}, or the model's own float32 noise if larger: how far its golden logits
     * segment by segment and in one pass (one computation in two orders) differ. A trained model's
     * larger activations round larger (jamba-medium: 8.6e-5, ZooGoldenTest).
     */
    static double tolerance(Path dir) throws IOException {
        StateContainer segments = Goldens.read(dir.resolve("golden/segments-64.safetensors"));
        StateContainer whole = Goldens.read(dir.resolve("golden/whole.safetensors"));
        return Math.max(TOLERANCE, Goldens.floats(segments, "logits").maxAbsDifference(Goldens.floats(whole, "logits")));
    }

    /**
     * Same shape (a row cut to its own length), every element within {@code tolerance} times the
     * tensor's largest magnitude where that is over 1: float32 rounds relative to size, and linear
     * attention's running sum grows with the document (180 in these rounds, where one unit in the
     * last place is 1.5e-5, the largest difference seen).
     */
    static void assertClose(String what, FloatTensor got, FloatTensor expected, double tolerance) {
        assertThat(expected).as(what + " alone").isNotNull();
        assertThat(got).as(what).isNotNull();
        assertThat(got.shape()).as(what + " shape").containsExactly(expected.shape());
        double largest = 0;
        for (float v : expected.values()) {
            largest = Math.max(largest, Math.abs(v));
        }
        assertThat(got.maxAbsDifference(expected)).as(what + ": largest difference (largest value %s)", largest)
                .isLessThanOrEqualTo(tolerance * Math.max(1, largest));
    }

    /** {@code length} tokens of document {@code d} from its token {@code from} on (the text, read cyclically). */
    static long[] tokens(long[] text, int d, long from, int length) {
        long[] out = new long[length];
        for (int i = 0; i < length; i++) {
            out[i] = text[(int) ((d * 31 + from + i) % text.length)];
        }
        return out;
    }

    @Test
    void aBatchOfOneLengthIsFedAsWithoutRaggedBatchesAndAShorterRowIsPaddedOnTheRight(@TempDir Path temp)
            throws Exception {
        Path source = ZooGoldenTest.zoo().resolve("longformer-tiny");   // pinned slots and target_ids
        Path ragged = copy(source, temp.resolve("ragged"), true);
        Path plain = copy(source, temp.resolve("plain"), false);
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel withRagged = SegmentModel.load(ragged, options);
             SegmentModel without = SegmentModel.load(plain, options)) {
            assertThat(withRagged.plan().ragged()).isTrue();
            assertThat(without.plan().ragged()).isFalse();
            DocumentState later = new DocumentState(40, withRagged.initialState(1).tensors());
            List<SegmentInput> equal = List.of(new SegmentInput(new long[] {72, 105, 33}, withRagged.initialState(1), 10),
                    new SegmentInput(new long[] {65, 66, 67}, later));
            SegmentModel.Feed a = withRagged.feed(equal);
            SegmentModel.Feed b = without.feed(equal);
            assertThat(a.length()).isEqualTo(b.length()).isEqualTo(3);
            assertThat(a.ids()).containsExactly(b.ids());
            assertThat(a.positions()).containsExactly(b.positions()).containsExactly(0, 1, 2, 40, 41, 42);
            assertThat(a.targets()).containsExactly(b.targets()).containsExactly(105, 33, 10, 66, 67, -1);
            assertThat(a.padding()).containsExactly(0, 0);
            assertThat(Pasts.of(withRagged.plan(), equal).mask(a.lengths(), a.length()))
                    .containsExactly(Pasts.of(without.plan(), equal).mask(b.lengths(), b.length()))
                    .containsOnly(1L);

            // Row 1 has 1 real token of 3: input 0, positions counting on, target -1, mask 0 over the padding.
            List<SegmentInput> unequal = List.of(new SegmentInput(new long[] {72, 105, 33}, withRagged.initialState(1), 10),
                    new SegmentInput(new long[] {65}, later, 66));
            SegmentModel.Feed r = withRagged.feed(unequal);
            assertThat(r.length()).isEqualTo(3);
            assertThat(r.lengths()).containsExactly(3, 1);
            assertThat(r.padding()).containsExactly(0, 2);
            assertThat(r.ids()).containsExactly(72, 105, 33, 65, 0, 0);
            assertThat(r.positions()).containsExactly(0, 1, 2, 40, 41, 42);
            assertThat(r.targets()).containsExactly(105, 33, 10, 66, -1, -1);
            int past = withRagged.plan().maskPast();
            long[] mask = Pasts.of(withRagged.plan(), unequal).mask(r.lengths(), r.length());
            assertThat(mask).hasSize(2 * (past + 3));
            for (int column = 0; column < past + 3; column++) {
                assertThat(mask[column]).as("row 0, column %d", column).isEqualTo(1L);
                assertThat(mask[past + 3 + column]).as("row 1, column %d", column).isEqualTo(column < past + 1 ? 1L : 0L);
            }

            // Without ragged batches the same segments are refused before anything runs.
            assertThatThrownBy(() -> without.run(unequal, SegmentModel.Fetch.TOKEN_NLL))
                    .isInstanceOfSatisfying(InvalidSegmentException.class,
                            e -> assertThat(e.type().slug()).isEqualTo("unequal-segment-lengths"))
                    .hasMessageContaining("ragged");
        }
    }

    @Test
    void aRaggedPlanMustTakeTheMaskAndPositionsThatTellItsPadding(@TempDir Path temp) throws Exception {
        Path source = ZooGoldenTest.zoo().resolve("gemma2-tiny").resolve("baton-model.json");
        JsonMapper json = JsonMapper.builder().build();
        ObjectNode plan = (ObjectNode) json.readTree(Files.readAllBytes(source));
        plan.put("ragged", true);
        plan.putArray("inputs").add("input_ids").add("position_ids").add("target_ids");
        Path file = temp.resolve("baton-model.json");
        Files.writeString(file, json.writeValueAsString(plan));
        assertThatThrownBy(() -> StatePlan.read(file)).isInstanceOf(ModelContractException.class)
                .hasMessageContaining("attention_mask").hasMessageContaining(file.toString());
        plan.remove("ragged");
        Files.writeString(file, json.writeValueAsString(plan));
        assertThat(StatePlan.read(file).ragged()).as("absent: no ragged batches").isFalse();
    }

    /** {@code source}'s model with {@code "ragged"} set or removed in its plan. */
    static Path copy(Path source, Path target, boolean ragged) throws IOException {
        Files.createDirectories(target);
        for (String file : List.of("model.onnx", "config.json")) {
            Files.copy(source.resolve(file), target.resolve(file));
        }
        JsonMapper json = JsonMapper.builder().build();
        ObjectNode plan = (ObjectNode) json.readTree(Files.readAllBytes(source.resolve("baton-model.json")));
        if (ragged) {
            plan.put("ragged", true);
        } else {
            plan.remove("ragged");
        }
        Files.writeString(target.resolve("baton-model.json"), json.writeValueAsString(plan));
        return target;
    }
}
