package io.baton.inference.ffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtSession;
import io.baton.inference.InferenceProperties;
import io.baton.inference.InvalidConfigurationException;
import io.baton.inference.models.DocumentState;
import io.baton.inference.models.FloatTensor;
import io.baton.inference.models.SegmentInput;
import io.baton.inference.models.SegmentModel;
import io.baton.inference.models.SegmentOutput;
import io.baton.inference.models.SegmentRunner;
import io.baton.inference.segments.Readouts;
import io.baton.inference.segments.SegmentBatcher;
import io.baton.inference.segments.SegmentRunners;
import io.baton.onnx.ffm.ModelPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * {@link ResidentRunner} on the CPU provider against the inference service's own path (the model's run, states
 * on the heap), every tiny zoo model, segments of 64 tokens of Moby-Dick, and ragged batches (segments of 1 to 64
 * tokens in one batch) of every tiny model that takes them: the same library and session settings on the same
 * inputs, so outputs and next states are compared bit for bit. What is resident is seen in the state bytes each
 * segment loaded.
 */
class ResidentRunnerTest {

    static final Path ZOO = Path.of(System.getProperty("baton.zoo.dir", "../models/zoo"));
    static final Path CORPUS = Path.of(System.getProperty("baton.corpus.dir", "../data/corpus"));
    static final int LENGTH = 64;

    static byte[] text;

    @BeforeAll
    static void load() throws Exception {
        text = Files.readAllBytes(CORPUS.resolve("moby-dick/moby-dick.txt"));
    }

    static List<Path> tinyModels() throws Exception {
        try (Stream<Path> dirs = Files.list(ZOO)) {
            List<Path> tiny = dirs.filter(d -> d.getFileName().toString().endsWith("-tiny")).sorted().toList();
            assertThat(tiny).hasSizeGreaterThanOrEqualTo(7);
            return tiny;
        }
    }

    /** Segment k of the document at byte {@code offset} (the tiny models' ids are bytes), with its next token. */
    static SegmentInput segment(int offset, int k, DocumentState state) {
        long[] ids = new long[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            ids[i] = text[offset + k * LENGTH + i] & 0xff;
        }
        return new SegmentInput(ids, state, text[offset + (k + 1) * LENGTH] & 0xff);
    }

    static SegmentRunner.Settings cpu(int capacity) {
        return new SegmentRunner.Settings("cpu", 0, 1, capacity, false, "heuristic", false);
    }

    static OrtSession.SessionOptions oneThread() throws Exception {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        return options;
    }

    static void assertSame(String what, SegmentOutput got, SegmentOutput expected) {
        assertEqualBits(what + " token_nll", got.tokenNll(), expected.tokenNll());
        assertEqualBits(what + " logits", got.logits(), expected.logits());
        assertEqualBits(what + " last_hidden_state", got.lastHiddenState(), expected.lastHiddenState());
        assertThat(got.next().tokens()).as(what + " position").isEqualTo(expected.next().tokens());
        assertThat(got.next().tensors().keySet()).as(what).containsExactlyElementsOf(expected.next().tensors().keySet());
        for (Map.Entry<String, FloatTensor> e : expected.next().tensors().entrySet()) {
            assertEqualBits(what + " next " + e.getKey(), got.next().tensors().get(e.getKey()), e.getValue());
        }
    }

    static void assertEqualBits(String what, FloatTensor got, FloatTensor expected) {
        if (expected == null) {
            assertThat(got).as(what).isNull();
            return;
        }
        assertThat(got).as(what).isNotNull();
        assertThat(got.shape()).as(what + " shape").containsExactly(expected.shape());
        float[] g = got.values();
        float[] x = expected.values();
        for (int i = 0; i < x.length; i++) {
            if (Float.floatToRawIntBits(g[i]) != Float.floatToRawIntBits(x[i])) {
                throw new AssertionError(what + ": element " + i + " is " + g[i] + ", expected " + x[i]);
            }
        }
    }

    @Test
    void documentsContinueFromTheirResidentStatesAndMatchTheHeapPathBitForBit() throws Exception {
        int[] offsets = {50_000, 70_000, 90_000};
        List<String> documents = List.of("t/a", "t/b", "t/c");
        for (Path dir : tinyModels()) {
            try (OrtSession.SessionOptions options = oneThread();
                 SegmentModel model = SegmentModel.load(dir, options);
                 ResidentRunner runner = ResidentRunner.open(model, cpu(8))) {
                long stateBytes = model.plan().stateBytes();
                List<DocumentState> resident = new ArrayList<>(Arrays.asList(model.initialState(1), model.initialState(1),
                        model.initialState(1)));
                List<DocumentState> heap = new ArrayList<>(resident);
                for (int k = 0; k < 4; k++) {
                    int seg = k;
                    List<SegmentOutput> got = runner.run(documents, IntStream.range(0, 3)
                            .mapToObj(b -> segment(offsets[b], seg, resident.get(b))).toList());
                    List<SegmentOutput> expected = model.run(IntStream.range(0, 3)
                            .mapToObj(b -> segment(offsets[b], seg, heap.get(b))).toList(), SegmentModel.Fetch.TOKEN_NLL);
                    for (int b = 0; b < 3; b++) {
                        String what = dir.getFileName() + " segment " + k + " document " + b;
                        assertSame(what, got.get(b), expected.get(b));
                        assertThat(got.get(b).moved().in()).as(what + ": state loaded only for the initial state")
                                .isEqualTo(k == 0 ? stateBytes : 0);
                        assertThat(got.get(b).moved().out()).as(what + ": the state copied out once").isEqualTo(stateBytes);
                        resident.set(b, got.get(b).next());
                        heap.set(b, expected.get(b).next());
                    }
                }
            }
        }
    }

    /**
     * With the sentence means in the runtime ({@code baton.onnx.sentence-means=runtime}, the default on CUDA), a
     * segment's output carries its sentences' vectors instead of {@code last_hidden_state}: the means of the heap
     * path's hidden states over the same spans (float32 products against double sums: 1e-5), and the same
     * {@code token_nll} and next state bit for bit.
     */
    @Test
    void sentenceMeansInTheRuntimeAreThoseOfTheHeapPathsHiddenStates() throws Exception {
        int[] offsets = {50_000, 70_000, 90_000};
        List<String> documents = List.of("t/a", "t/b", "t/c");
        List<List<int[]>> sentences = List.of(List.of(new int[] {0, 20}, new int[] {20, 64}), List.of(),
                List.of(new int[] {5, 6}, new int[] {0, 64}, new int[] {60, 64}));
        SegmentRunner.Settings runtime = new SegmentRunner.Settings("cpu", 0, 1, 8, false, "heuristic", false, 0,
                "runtime", 0);
        for (Path dir : tinyModels()) {
            try (OrtSession.SessionOptions options = oneThread();
                 SegmentModel model = SegmentModel.load(dir, options);
                 ResidentRunner runner = ResidentRunner.open(model, runtime)) {
                if (!model.hasHiddenState()) {
                    continue;
                }
                assertThat(runner.describe()).contains("sentence means of last_hidden_state computed there");
                List<DocumentState> resident = new ArrayList<>(Arrays.asList(model.initialState(1), model.initialState(1),
                        model.initialState(1)));
                List<DocumentState> heap = new ArrayList<>(resident);
                for (int k = 0; k < 2; k++) {
                    int seg = k;
                    List<SegmentOutput> got = runner.run(documents, IntStream.range(0, 3).mapToObj(b -> {
                        SegmentInput plain = segment(offsets[b], seg, resident.get(b));
                        return new SegmentInput(plain.tokens(), plain.state(), plain.next(), sentences.get(b));
                    }).toList());
                    List<SegmentOutput> expected = model.run(IntStream.range(0, 3)
                            .mapToObj(b -> segment(offsets[b], seg, heap.get(b))).toList(), SegmentModel.Fetch.TOKEN_NLL);
                    for (int b = 0; b < 3; b++) {
                        String what = dir.getFileName() + " segment " + k + " document " + b;
                        SegmentOutput means = got.get(b);
                        assertThat(means.lastHiddenState()).as(what + ": the hidden states stay in the runtime").isNull();
                        assertEqualBits(what + " token_nll", means.tokenNll(), expected.get(b).tokenNll());
                        for (Map.Entry<String, FloatTensor> e : expected.get(b).next().tensors().entrySet()) {
                            assertEqualBits(what + " next " + e.getKey(), means.next().tensors().get(e.getKey()), e.getValue());
                        }
                        float[][] host = Readouts.sentenceVectors(expected.get(b).lastHiddenState(), sentences.get(b));
                        assertThat(means.sentenceVectors().length).as(what + " sentences").isEqualTo(host.length);
                        for (int s = 0; s < host.length; s++) {
                            float[] vector = means.sentenceVectors()[s];
                            assertThat(vector).as(what + " sentence " + s).hasSize(host[s].length);
                            for (int j = 0; j < host[s].length; j++) {
                                assertThat((double) vector[j]).as(what + " sentence " + s + " element " + j)
                                        .isCloseTo(host[s][j], org.assertj.core.api.Assertions.within(1e-5));
                            }
                        }
                        resident.set(b, means.next());
                        heap.set(b, expected.get(b).next());
                    }
                }
            }
        }
    }

    @Test
    void raggedBatchesMatchTheHeapPathsRaggedBatchesBitForBit() throws Exception {
        // Lengths per round (1 and the full 64 in each); in the last round the batch order differs from the
        // slots', so the scatter is cut both where the slots and where the lengths change.
        int[][] lengths = {{64, 1, 40}, {17, 64, 64}, {64, 30, 1}};
        List<List<Integer>> orders = List.of(List.of(0, 1, 2), List.of(0, 1, 2), List.of(2, 0, 1));
        int[] offsets = {50_000, 70_000, 90_000};
        List<Path> ragged = new ArrayList<>();
        for (Path dir : tinyModels()) {
            if (ModelPlan.read(dir.resolve("baton-model.json")).ragged()) {
                ragged.add(dir);
            }
        }
        assertThat(ragged).as("tiny zoo models whose plan says \"ragged\": true").isNotEmpty();
        for (Path dir : ragged) {
            try (OrtSession.SessionOptions options = oneThread();
                 SegmentModel model = SegmentModel.load(dir, options);
                 ResidentRunner runner = ResidentRunner.open(model, cpu(8))) {
                assertThat(runner.takesRaggedBatches()).as(dir.getFileName().toString()).isTrue();
                DocumentState[] resident = {model.initialState(1), model.initialState(1), model.initialState(1)};
                DocumentState[] heap = resident.clone();
                int[] consumed = new int[3];
                for (int round = 0; round < lengths.length; round++) {
                    List<String> documents = new ArrayList<>();
                    List<SegmentInput> got = new ArrayList<>();
                    List<SegmentInput> expected = new ArrayList<>();
                    for (int d : orders.get(round)) {
                        documents.add("t/" + d);
                        got.add(piece(offsets[d] + consumed[d], lengths[round][d], resident[d]));
                        expected.add(piece(offsets[d] + consumed[d], lengths[round][d], heap[d]));
                    }
                    List<SegmentOutput> outs = runner.run(documents, got);
                    List<SegmentOutput> heapOuts = model.run(expected, SegmentModel.Fetch.TOKEN_NLL);
                    for (int b = 0; b < documents.size(); b++) {
                        int d = orders.get(round).get(b);
                        String what = dir.getFileName() + " round " + round + " document " + d + " ("
                                + lengths[round][d] + " tokens)";
                        assertSame(what, outs.get(b), heapOuts.get(b));
                        assertThat(outs.get(b).tokenNll().shape()).as(what).containsExactly(1, lengths[round][d]);
                        assertThat(outs.get(b).moved().in()).as(what + ": resident after its first segment")
                                .isEqualTo(round == 0 ? model.plan().stateBytes() : 0);
                        resident[d] = outs.get(b).next();
                        heap[d] = heapOuts.get(b).next();
                        consumed[d] += lengths[round][d];
                    }
                }
            }
        }
    }

    /**
     * With {@code cudaGraphTokens} the runner runs its batches in fixed-shape frames (on the CPU provider without
     * capture): ragged batches of three documents (a frame of four rows, segments padded to 64 tokens) stay within
     * the service's parity tolerance (1e-4, ZooGoldenTest) of the heap path's own-shape batches, outputs and states.
     */
    @Test
    void framedBatchesStayWithinTheParityToleranceOfTheHeapPath() throws Exception {
        int[][] lengths = {{64, 1, 40}, {17, 64, 64}, {64, 30, 1}};
        int[] offsets = {50_000, 70_000, 90_000};
        Path dir = ZOO.resolve("jamba-tiny");
        try (OrtSession.SessionOptions options = oneThread();
             SegmentModel model = SegmentModel.load(dir, options);
             ResidentRunner runner = ResidentRunner.open(model,
                     new SegmentRunner.Settings("cpu", 0, 1, 8, false, "heuristic", false, LENGTH, "auto", 4))) {
            assertThat(runner.describe()).contains("fixed-shape frames")
                    .as("every frame a batch of up to max-batch needs, made when the runner opens")
                    .contains("frames of [1, 2, 4] rows made at start-up");
            DocumentState[] resident = {model.initialState(1), model.initialState(1), model.initialState(1)};
            DocumentState[] heap = resident.clone();
            int[] consumed = new int[3];
            for (int[] round : lengths) {
                List<String> documents = new ArrayList<>();
                List<SegmentInput> got = new ArrayList<>();
                List<SegmentInput> expected = new ArrayList<>();
                for (int d = 0; d < 3; d++) {
                    documents.add("t/" + d);
                    got.add(piece(offsets[d] + consumed[d], round[d], resident[d]));
                    expected.add(piece(offsets[d] + consumed[d], round[d], heap[d]));
                }
                List<SegmentOutput> outs = runner.run(documents, got);
                List<SegmentOutput> heapOuts = model.run(expected, SegmentModel.Fetch.TOKEN_NLL);
                for (int d = 0; d < 3; d++) {
                    assertClose("document " + d + " (" + round[d] + " tokens)", outs.get(d), heapOuts.get(d), 1e-4);
                    assertThat(outs.get(d).tokenNll().shape()).containsExactly(1, round[d]);
                    resident[d] = outs.get(d).next();
                    heap[d] = heapOuts.get(d).next();
                    consumed[d] += round[d];
                }
            }
        }
    }

    /** {@code length} tokens of the text from byte {@code offset}, with the next one. */
    static SegmentInput piece(int offset, int length, DocumentState state) {
        long[] ids = new long[length];
        for (int i = 0; i < length; i++) {
            ids[i] = text[offset + i] & 0xff;
        }
        return new SegmentInput(ids, state, text[offset + length] & 0xff);
    }

    @Test
    void aStateItDidNotReturnIsLoadedFirstAsARetryOfAnEarlierSegmentIs() throws Exception {
        for (Path dir : tinyModels()) {
            try (OrtSession.SessionOptions options = oneThread();
                 SegmentModel model = SegmentModel.load(dir, options);
                 ResidentRunner runner = ResidentRunner.open(model, cpu(4))) {
                String what = dir.getFileName().toString();
                DocumentState s0 = runner.run(List.of("d"), List.of(segment(50_000, 0, model.initialState(1)))).get(0).next();
                SegmentOutput first = runner.run(List.of("d"), List.of(segment(50_000, 1, s0))).get(0);
                assertThat(first.moved().in()).as(what).isZero();
                // The retry of segment 1 (its answer was lost): from s0 again, while segment 1's state is resident.
                SegmentOutput retry = runner.run(List.of("d"), List.of(segment(50_000, 1, s0))).get(0);
                assertThat(retry.moved().in()).as(what + ": the retry loads its input state").isEqualTo(model.plan().stateBytes());
                assertSame(what + " retry", retry, first);
                // An equal state that is another object (as read back from the memory service) is loaded too.
                DocumentState copy = new DocumentState(retry.next().tokens(), retry.next().tensors());
                SegmentOutput fromCopy = runner.run(List.of("d"), List.of(segment(50_000, 2, copy))).get(0);
                SegmentOutput expected = model.run(List.of(segment(50_000, 2, first.next())), SegmentModel.Fetch.TOKEN_NLL).get(0);
                assertThat(fromCopy.moved().in()).as(what).isEqualTo(model.plan().stateBytes());
                assertSame(what + " from a copy", fromCopy, expected);
            }
        }
    }

    @Test
    void whenEverySlotIsTakenTheLeastRecentlyRunDocumentLeavesAndComesBackFromItsState() throws Exception {
        Path dir = ZOO.resolve("jamba-tiny");
        try (OrtSession.SessionOptions options = oneThread();
             SegmentModel model = SegmentModel.load(dir, options);
             ResidentRunner runner = ResidentRunner.open(model, cpu(2))) {
            int[] offsets = {50_000, 70_000, 90_000};
            DocumentState[] resident = {model.initialState(1), model.initialState(1), model.initialState(1)};
            DocumentState[] heap = resident.clone();
            long[] loads = new long[3];
            for (int k = 0; k < 3; k++) {
                for (int b = 0; b < 3; b++) {   // a, b, c in turn through 2 slots: each run evicts the next one's
                    SegmentOutput got = runner.run(List.of("doc" + b), List.of(segment(offsets[b], k, resident[b]))).get(0);
                    SegmentOutput expected = model.run(List.of(segment(offsets[b], k, heap[b])), SegmentModel.Fetch.TOKEN_NLL).get(0);
                    assertSame("segment " + k + " document " + b, got, expected);
                    loads[b] += got.moved().in() > 0 ? 1 : 0;
                    resident[b] = got.next();
                    heap[b] = expected.next();
                }
            }
            assertThat(loads).as("round-robin over 3 documents in 2 slots: every segment finds its document evicted")
                    .containsExactly(3, 3, 3);
            // Two documents in turn fit: no load after the first segment each.
            SegmentOutput again = runner.run(List.of("doc2"), List.of(segment(offsets[2], 3, resident[2]))).get(0);
            assertThat(again.moved().in()).isZero();
        }
    }

    @Test
    void aRefusedBatchForgetsItsDocumentsWhichThenContinueFromTheStateGiven() throws Exception {
        Path dir = ZOO.resolve("gemma2-tiny");
        try (OrtSession.SessionOptions options = oneThread();
             SegmentModel model = SegmentModel.load(dir, options);
             ResidentRunner runner = ResidentRunner.open(model, cpu(4))) {
            SegmentOutput s0 = runner.run(List.of("a"), List.of(segment(50_000, 0, model.initialState(1)))).get(0);
            // An empty segment: refused by the resident states once the batch's states are in place (a shorter
            // one would be refused there too by a model without ragged batches; gemma2-tiny takes them).
            SegmentInput empty = new SegmentInput(new long[0], model.initialState(1));
            assertThatThrownBy(() -> runner.run(List.of("a", "b"), List.of(segment(50_000, 1, s0.next()), empty)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-zero length");
            SegmentOutput s1 = runner.run(List.of("a"), List.of(segment(50_000, 1, s0.next()))).get(0);
            assertThat(s1.moved().in()).as("after a failed batch its documents load their state").isEqualTo(model.plan().stateBytes());
            SegmentOutput expected = model.run(List.of(segment(50_000, 1, s0.next())), SegmentModel.Fetch.TOKEN_NLL).get(0);
            assertSame("after the failed batch", s1, expected);
        }
    }

    @Test
    void theServiceFindsTheRunnerOnTheClassPathAndChoosesByTheSetting() throws Exception {
        Path dir = ZOO.resolve("jamba-tiny");
        try (OrtSession.SessionOptions options = oneThread(); SegmentModel model = SegmentModel.load(dir, options)) {
            try (SegmentRunners on = SegmentRunners.choose(List.of(model), onnx("on", 8), 8)) {
                assertThat(on.resident(model)).isTrue();
                assertThat(on.takesRaggedBatches(model)).as("a ragged model's resident runner takes ragged batches")
                        .isEqualTo(model.plan().ragged()).isTrue();
            }
            try (SegmentRunners auto = SegmentRunners.choose(List.of(model), onnx("auto", 8), 8)) {
                assertThat(auto.resident(model)).as("auto on the CPU provider keeps the heap").isFalse();
            }
            try (SegmentRunners off = SegmentRunners.choose(List.of(model), onnx("off", 8), 8)) {
                assertThat(off.resident(model)).isFalse();
            }
            assertThatThrownBy(() -> SegmentRunners.choose(List.of(model), onnx("on", 4), 8))
                    .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("resident-capacity");
        }
    }

    @Test
    void concurrentDocumentsThroughTheBatcherGiveWhatEachGivesAloneOnTheHeap() throws Exception {
        Path dir = ZOO.resolve("jamba-tiny");
        int documents = 8;
        int segments = 4;
        Scheduler scheduler = Schedulers.newParallel("runner", 2);
        try (OrtSession.SessionOptions options = oneThread();
             SegmentModel model = SegmentModel.load(dir, options);
             SegmentRunners runners = SegmentRunners.choose(List.of(model), onnx("on", 8), 8)) {
            SegmentBatcher batcher = new SegmentBatcher(8, Duration.ZERO, 256, 256,
                    new SegmentBatcher.Yield(Duration.ZERO, Duration.ZERO), scheduler, runners);
            List<CompletableFuture<List<SegmentOutput>>> runs = new ArrayList<>();
            for (int d = 0; d < documents; d++) {
                int offset = 40_000 + 10_000 * d;
                String document = "t/doc" + d;
                runs.add(CompletableFuture.supplyAsync(() -> {
                    List<SegmentOutput> outs = new ArrayList<>();
                    DocumentState state = model.initialState(1);
                    for (int k = 0; k < segments; k++) {
                        SegmentOutput out = batcher.submit(model, document, segment(offset, k, state)).block();
                        outs.add(out);
                        state = out.next();
                    }
                    return outs;
                }));
            }
            long loadedAfterFirst = 0;
            for (int d = 0; d < documents; d++) {
                List<SegmentOutput> got = runs.get(d).get();
                DocumentState state = model.initialState(1);
                for (int k = 0; k < segments; k++) {
                    SegmentOutput alone = model.run(List.of(segment(40_000 + 10_000 * d, k, state)),
                            SegmentModel.Fetch.TOKEN_NLL).get(0);
                    // Batched vs alone may differ in the last bits on ONNX Runtime's CPU kernels: the service's
                    // parity tolerance (ZooGoldenTest, 1e-4) applies, on outputs and states.
                    assertClose("document " + d + " segment " + k, got.get(k), alone, 1e-4);
                    if (k > 0) {
                        loadedAfterFirst += got.get(k).moved().in();
                    }
                    state = alone.next();
                }
            }
            assertThat(loadedAfterFirst).as("every document stayed resident after its first segment").isZero();
            assertThat(batcher.segmentsRun()).isEqualTo((long) documents * segments);
        } finally {
            scheduler.dispose();
        }
    }

    static void assertClose(String what, SegmentOutput got, SegmentOutput expected, double tolerance) {
        assertThat(got.tokenNll().maxAbsDifference(expected.tokenNll())).as(what + " token_nll").isLessThanOrEqualTo(tolerance);
        assertThat(got.lastHiddenState().maxAbsDifference(expected.lastHiddenState())).as(what + " hidden")
                .isLessThanOrEqualTo(tolerance);
        for (Map.Entry<String, FloatTensor> e : expected.next().tensors().entrySet()) {
            assertThat(got.next().tensors().get(e.getKey()).maxAbsDifference(e.getValue())).as(what + " " + e.getKey())
                    .isLessThanOrEqualTo(tolerance);
        }
    }

    static InferenceProperties.Onnx onnx(String resident, int capacity) {
        return new InferenceProperties.Onnx("cpu", 0, 1, 1, "all", true, false, false, "heuristic", resident, capacity);
    }
}
