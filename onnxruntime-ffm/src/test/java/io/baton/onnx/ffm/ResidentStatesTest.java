package io.baton.onnx.ffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.baton.onnx.ffm.ResidentStates.Readouts;
import io.baton.onnx.ffm.ResidentStates.Segment;
import io.baton.onnx.ffm.bench.HostStates;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * States carried in the runtime's memory through IO binding give what ONNX Runtime Java gives with the states
 * carried through the Java heap (the inference service's way): every zoo model, 4 segments of 64 tokens of
 * Moby-Dick, alone and two documents in one batch. Both run the same library with the same session settings
 * on the same inputs, so the outputs are compared bit for bit.
 */
class ResidentStatesTest {

    static final Path CORPUS = Path.of(System.getProperty("baton.corpus.dir", "../data/corpus"));
    static final int SEGMENTS = 4;
    static final int LENGTH = 64;

    static byte[] text;

    @BeforeAll
    static void load() throws Exception {
        OrtRuntime.get();
        text = Files.readAllBytes(CORPUS.resolve("moby-dick/moby-dick.txt"));
    }

    /** {@code SEGMENTS * LENGTH} tokens of the text from byte {@code offset} (the tiny models' ids are bytes). */
    static long[] tokens(int offset) {
        long[] ids = new long[SEGMENTS * LENGTH];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = text[offset + i] & 0xff;
        }
        return ids;
    }

    /** Segment k of a document, with its next token (the first of segment k + 1; none after the last). */
    static Segment segment(String document, long[] ids, int k) {
        long next = (k + 1) * LENGTH < ids.length ? ids[(k + 1) * LENGTH] : -1;
        return new Segment(document, Arrays.copyOfRange(ids, k * LENGTH, (k + 1) * LENGTH), next);
    }

    @Test
    void oneDocumentCarriedInTheRuntimeMatchesOnnxRuntimeJavaBitForBit() throws Exception {
        for (Path dir : OrtApiSlotTest.zooModels()) {
            compare(dir, List.of("a"), List.of(tokens(50_000)));
        }
    }

    @Test
    void twoDocumentsInOneBatchMatchOnnxRuntimeJavaBitForBit() throws Exception {
        for (Path dir : OrtApiSlotTest.zooModels()) {
            compare(dir, List.of("a", "b"), List.of(tokens(50_000), tokens(90_000)));
        }
    }

    @Test
    void documentsInScatteredSlotsAndAnyOrderMatchOnnxRuntimeJavaBitForBit() throws Exception {
        // slots: a 0, filler 1, b 2, c 3: the batch [c, b, a] is gathered and scattered in three runs, [b, c] in one
        for (Path dir : OrtApiSlotTest.zooModels()) {
            compare(dir, List.of("c", "b", "a"), List.of(tokens(70_000), tokens(90_000), tokens(50_000)),
                    List.of("a", "filler", "b", "c"));
        }
    }

    private static void compare(Path dir, List<String> documents, List<long[]> ids) throws Exception {
        compare(dir, documents, ids, documents);
    }

    private static void compare(Path dir, List<String> documents, List<long[]> ids, List<String> admitted)
            throws Exception {
        ModelPlan plan = ModelPlan.read(dir.resolve("baton-model.json"));
        Path model = dir.resolve("model.onnx");
        List<String> readouts = plan.scoresTokens() ? List.of("logits", "last_hidden_state", "token_nll")
                : List.of("logits", "last_hidden_state");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (Session session = Session.open(model, SessionConfig.cpu(1));
             ResidentStates resident = ResidentStates.open(session, plan);
             OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession javaSession = env.createSession(model.toString(), options)) {
                HostStates reference = new HostStates(env, javaSession, plan);
                admitted.forEach(resident::admit);
                documents.forEach(reference::admit);
                for (int k = 0; k < SEGMENTS; k++) {
                    int segmentIndex = k;
                    List<Segment> batch = java.util.stream.IntStream.range(0, documents.size())
                            .mapToObj(b -> segment(documents.get(b), ids.get(b), segmentIndex)).toList();
                    Readouts got = resident.run(batch, readouts);
                    Readouts expected = reference.run(batch, readouts);
                    for (String name : readouts) {
                        String what = dir.getFileName() + " segment " + k + " " + name + " batch " + documents.size();
                        assertThat(got.shapes().get(name)).as(what).containsExactly(expected.shapes().get(name));
                        assertBitwiseEqual(what, got.get(name), expected.get(name));
                    }
                    if (plan.scoresTokens() && k + 1 < SEGMENTS) {
                        // every position is scored, the last one by the next segment's first token
                        float[] nll = got.get("token_nll");
                        for (int b = 0; b < documents.size(); b++) {
                            assertThat(nll[b * LENGTH + LENGTH - 1]).as(dir.getFileName() + " last position scored")
                                    .isGreaterThan(0f);
                        }
                    }
                }
                // the batch's states exported at once (one copy per tensor and run of slots) and one by one
                List<ResidentStates.HostState> together = resident.export(documents);
                for (int d = 0; d < documents.size(); d++) {
                    String document = documents.get(d);
                    ResidentStates.HostState got = together.get(d);
                    ResidentStates.HostState alone = resident.export(document);
                    for (int i = 0; i < plan.state().size(); i++) {
                        assertBitwiseEqual(dir.getFileName() + " state " + i + " of " + document + " exported alone",
                                alone.tensors().get(i), got.tensors().get(i));
                    }
                    ResidentStates.HostState expected = reference.export(document);
                    assertThat(got.position()).isEqualTo(SEGMENTS * LENGTH);
                    assertThat(got.position()).isEqualTo(expected.position());
                    for (int i = 0; i < plan.state().size(); i++) {
                        assertBitwiseEqual(dir.getFileName() + " state " + plan.state().get(i).input() + " of " + document,
                                got.tensors().get(i), expected.tensors().get(i));
                    }
                }
            }
        }
    }

    /**
     * Fixed-shape frames (the CUDA graphs' buffers; on the CPU provider run without capture) give what the runs
     * of the batch's own shape give: every ragged zoo model, three documents in a frame of four rows (a filler
     * row), segments of 1 to 64 tokens padded to the frame's 64, the slots out of batch order in the last round,
     * then one document alone (a frame of one) and a segment longer than the frame (run outside any frame). The
     * padded shapes may change the kernels' summation order, so the service's parity tolerance (1e-4, as
     * ZooGoldenTest) applies, to every readout and state.
     */
    @Test
    void framesOfFixedShapeGiveWhatTheBatchesOwnShapeGives() {
        int[][] lengths = {{64, 1, 40}, {17, 64, 64}, {64, 30, 1}};
        List<List<Integer>> orders = List.of(List.of(0, 1, 2), List.of(0, 1, 2), List.of(2, 0, 1));
        int[] offsets = {50_000, 70_000, 90_000};
        for (Path dir : OrtApiSlotTest.zooModels()) {
            ModelPlan plan = ModelPlan.read(dir.resolve("baton-model.json"));
            if (!plan.ragged()) {
                continue;
            }
            List<String> readouts = plan.scoresTokens() ? List.of("logits", "last_hidden_state", "token_nll")
                    : List.of("logits", "last_hidden_state");
            try (Session session = Session.open(dir.resolve("model.onnx"), SessionConfig.cpu(1));
                 ResidentStates own = ResidentStates.open(session, plan, 4);
                 ResidentStates framed = ResidentStates.open(session, plan, 4, LENGTH)) {
                int[] consumed = new int[3];
                for (int d = 0; d < 3; d++) {
                    own.admit("t/" + d);
                    framed.admit("t/" + d);
                }
                for (int round = 0; round < lengths.length; round++) {
                    List<Segment> batch = new java.util.ArrayList<>();
                    for (int d : orders.get(round)) {
                        batch.add(piece("t/" + d, offsets[d] + consumed[d], lengths[round][d]));
                        consumed[d] += lengths[round][d];
                    }
                    assertClose(dir.getFileName() + " round " + round, plan, readouts, batch,
                            framed.run(batch, readouts), own.run(batch, readouts), framed, own);
                }
                List<Segment> alone = List.of(piece("t/1", offsets[1] + consumed[1], 33));
                assertClose(dir.getFileName() + " alone", plan, readouts, alone, framed.run(alone, readouts),
                        own.run(alone, readouts), framed, own);
                consumed[1] += 33;
                List<Segment> longer = List.of(piece("t/1", offsets[1] + consumed[1], LENGTH + 8),
                        piece("t/2", offsets[2] + consumed[2], 5));
                assertClose(dir.getFileName() + " longer than the frame", plan, readouts, longer,
                        framed.run(longer, readouts), own.run(longer, readouts), framed, own);
                assertThat(framed.frameSizes()).as(dir.getFileName() + ": frames made").containsExactlyInAnyOrder(4, 1);
            }
        }
    }

    /**
     * Span means computed in the runtime ({@link ResidentStates#run(List, List, String)}) are the means of the rows a
     * run copies out, over the same spans: every zoo model, three documents in scattered slots and out of slot order
     * (one with no spans, one with a span of a single token and overlapping spans), on the plain path and in a frame
     * (the frame's filler row is not pooled). The products are float32 against the host's double sums, hence the
     * tolerance; the states after the run are those of the run that copied the rows out, bit for bit.
     */
    @Test
    void spanMeansComputedInTheRuntimeAreTheMeansOfTheRowsCopiedOut() {
        int[][][] spans = {{{0, 64}, {3, 4}, {10, 40}, {30, 50}}, {}, {{0, 1}, {63, 64}}};
        for (Path dir : OrtApiSlotTest.zooModels()) {
            ModelPlan plan = ModelPlan.read(dir.resolve("baton-model.json"));
            if (!plan.outputs().contains("last_hidden_state")) {
                continue;
            }
            for (int frame : new int[] {0, LENGTH}) {
                String what = dir.getFileName() + (frame == 0 ? "" : " in a frame");
                try (Session session = Session.open(dir.resolve("model.onnx"), SessionConfig.cpu(1));
                     ResidentStates copied = ResidentStates.open(session, plan, 5, frame);
                     ResidentStates pooled = ResidentStates.open(session, plan, 5, frame)) {
                    for (String document : List.of("x", "a", "y", "b", "c")) {
                        copied.admit(document);
                        pooled.admit(document);
                    }
                    copied.evict("x");
                    pooled.evict("x");
                    for (int k = 0; k < 2; k++) {
                        List<Segment> batch = new java.util.ArrayList<>();
                        String[] documents = {"c", "a", "b"};
                        for (int d = 0; d < 3; d++) {
                            Segment plain = segment(documents[d], tokens(50_000 + 10_000 * d), k);
                            batch.add(new Segment(plain.document(), plain.tokens(), plain.next(), spans[d]));
                        }
                        Readouts rows = copied.run(batch, List.of("last_hidden_state"));
                        Readouts means = pooled.run(batch, List.of(), "last_hidden_state");
                        assertThat(means.rows()).as(what + ": the values themselves are not copied out").isEmpty();
                        int width = Math.toIntExact(rows.shapes().get("last_hidden_state")[2]);
                        for (int b = 0; b < batch.size(); b++) {
                            assertWithin(what + " segment " + k + " row " + b, means.means()[b],
                                    hostMeans(rows.row("last_hidden_state", b), width, spans[b]), 1e-5);
                        }
                        for (String document : documents) {
                            for (int i = 0; i < plan.state().size(); i++) {
                                assertBitwiseEqual(what + " state " + i + " of " + document,
                                        pooled.export(document).tensors().get(i), copied.export(document).tensors().get(i));
                            }
                        }
                    }
                    long[] four = new long[4];
                    assertThatThrownBy(() -> pooled.run(List.of(new Segment("a", four, -1, new int[][] {{2, 5}})),
                            List.of(), "last_hidden_state"))
                            .as(what + ": a span past the segment's end").isInstanceOf(IllegalArgumentException.class)
                            .hasMessageContaining("[2, 5]");
                    assertThatThrownBy(() -> pooled.run(List.of(new Segment("a", four)), List.of("last_hidden_state"),
                            "last_hidden_state"))
                            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("both");
                    assertThat(pooled.position("a")).as(what + ": refused batches run nothing").isEqualTo(2L * LENGTH);
                }
            }
        }
    }

    /** The mean of each span's positions of a row of {@code width} floats a position, in double, span after span. */
    static float[] hostMeans(float[] row, int width, int[][] spans) {
        float[] means = new float[spans.length * width];
        for (int s = 0; s < spans.length; s++) {
            for (int j = 0; j < width; j++) {
                double sum = 0;
                for (int t = spans[s][0]; t < spans[s][1]; t++) {
                    sum += row[t * width + j];
                }
                means[s * width + j] = (float) (sum / (spans[s][1] - spans[s][0]));
            }
        }
        return means;
    }

    /**
     * Slabs and frames outlive runs, so they lie in memory of their own ({@link DeviceCopy#allocate}), never in the
     * session's arena, where a CUDA graph's replay writes into the chunks its capture used (on the CPU there is no
     * capture; this checks where the buffers come from and that they go back).
     */
    @Test
    void buffersThatOutliveARunAreTheirOwnMemoryAndGoBackOnClose() {
        Path dir = OrtApiSlotTest.ZOO.resolve("jamba-tiny");
        ModelPlan plan = ModelPlan.read(dir.resolve("baton-model.json"));
        List<String> readouts = List.of("last_hidden_state", "token_nll");
        CountingCopy copy = new CountingCopy();
        int states = plan.state().size();
        try (Session session = Session.open(dir.resolve("model.onnx"), SessionConfig.cpu(1))) {
            try (ResidentStates framed = new ResidentStates(session, plan, 4, MemoryInfo.cpu(), copy, LENGTH)) {
                assertThat(copy.live).as("one block per slab").isEqualTo(states);
                for (int d = 0; d < 3; d++) {
                    framed.admit("t/" + d);
                }
                framed.run(List.of(piece("t/0", 50_000, 64), piece("t/1", 60_000, 10), piece("t/2", 70_000, 64)),
                        readouts);
                // a frame of 4 rows: its input block, a past and a present per state, a buffer per readout
                assertThat(copy.live).isEqualTo(states + 1 + 2 * states + readouts.size());
                framed.run(List.of(piece("t/1", 60_010, 20)), readouts);
                assertThat(copy.live).isEqualTo(states + 2 * (1 + 2 * states + readouts.size()));
                assertThat(framed.frameSizes()).containsExactlyInAnyOrder(4, 1);
            }
            assertThat(copy.live).as("freed on close").isZero();
        }
    }

    /**
     * A batch whose documents hold consecutive slots runs as one run of slots in whatever order its rows come (the
     * service's batches come in queue order): its slab rows bound in place, one copy per replace state and two per
     * window state out, one per state for the export, as for the same batch in slot order; and each row's readouts and
     * state are its own document's, the same as that batch's in slot order.
     */
    @Test
    void aBatchInAnyOrderCopiesItsStatesAsOneRunOfSlots() {
        Path dir = OrtApiSlotTest.ZOO.resolve("jamba-tiny");
        ModelPlan plan = ModelPlan.read(dir.resolve("baton-model.json"));
        List<String> readouts = List.of("last_hidden_state", "token_nll");
        int states = plan.state().size();
        int windows = (int) plan.state().stream().filter(ModelPlan.StateSpec::isWindow).count();
        CountingCopy copy = new CountingCopy();
        try (Session session = Session.open(dir.resolve("model.onnx"), SessionConfig.cpu(1));
             ResidentStates shuffled = new ResidentStates(session, plan, 4, MemoryInfo.cpu(), copy, 0);
             ResidentStates inOrder = ResidentStates.open(session, plan, 4)) {
            for (int d = 0; d < 4; d++) {
                shuffled.admit("t/" + d);
                inOrder.admit("t/" + d);
            }
            List<Segment> sorted = List.of(piece("t/0", 50_000, 40), piece("t/1", 60_000, 40),
                    piece("t/2", 70_000, 40), piece("t/3", 80_000, 40));
            List<Segment> batch = List.of(sorted.get(2), sorted.get(0), sorted.get(3), sorted.get(1));
            int before = copy.copies;
            Readouts got = shuffled.run(batch, readouts);
            assertThat(copy.copies - before).as("copies of the run: none in (one run: the slab rows bound in place), "
                    + "then out with retention").isEqualTo((states - windows) + 2 * windows);
            before = copy.toHost;
            int waits = copy.synchronizes;
            List<ResidentStates.HostState> exported = shuffled.export(List.of("t/3", "t/1", "t/0", "t/2"));
            assertThat(copy.toHost - before).as("copies of the export").isEqualTo(states);
            assertThat(copy.synchronizes - waits).as("waits of the export: one for all its copies").isEqualTo(1);
            Readouts expected = inOrder.run(sorted, readouts);
            int[] document = {2, 0, 3, 1};
            for (String name : readouts) {
                for (int b = 0; b < batch.size(); b++) {
                    assertThat(got.row(name, b)).as(name + " of row " + b).containsExactly(expected.row(name, document[b]));
                }
            }
            int[] exportedDocument = {3, 1, 0, 2};
            for (int k = 0; k < 4; k++) {
                ResidentStates.HostState want = inOrder.export("t/" + exportedDocument[k]);
                assertThat(exported.get(k).position()).isEqualTo(want.position());
                for (int i = 0; i < states; i++) {
                    assertThat(exported.get(k).tensors().get(i)).as("state " + i + " of t/" + exportedDocument[k])
                            .containsExactly(want.tensors().get(i));
                }
            }
        }
    }

    /** Host copies that count the lasting blocks given and not yet freed, and the copies made. */
    private static final class CountingCopy implements DeviceCopy {
        private final HostCopy host = new HostCopy();
        int live;
        int copies;
        int toHost;
        int synchronizes;

        @Override
        public MemorySegment allocate(long bytes) {
            live++;
            return host.allocate(bytes);
        }

        @Override
        public void free(MemorySegment memory) {
            live--;
            host.free(memory);
        }

        @Override
        public void copy2d(long dst, long dstPitch, long src, long srcPitch, long width, long rows) {
            copies++;
            host.copy2d(dst, dstPitch, src, srcPitch, width, rows);
        }

        @Override
        public void zero(long dst, long bytes) {
            host.zero(dst, bytes);
        }

        @Override
        public void toHost(MemorySegment dst, long src) {
            toHost++;
            host.toHost(dst, src);
        }

        @Override
        public void toHostAsync(MemorySegment dst, long src) {
            toHost++;
            host.toHostAsync(dst, src);
        }

        @Override
        public void fromHost(long dst, MemorySegment src) {
            host.fromHost(dst, src);
        }

        @Override
        public MemorySegment allocateHost(long bytes) {
            return host.allocateHost(bytes);
        }

        @Override
        public void freeHost(MemorySegment memory) {
            host.freeHost(memory);
        }

        @Override
        public void synchronize() {
            synchronizes++;
            host.synchronize();
        }
    }

    @Test
    void aFrameRoundsTheBatchUpToAPowerOfTwoThenToMultiplesOfEight() {
        assertThat(java.util.stream.IntStream.of(1, 2, 3, 5, 8, 9, 16, 17, 20, 25, 32)
                .map(ResidentStates::frameRows).toArray())
                .containsExactly(1, 2, 4, 8, 8, 16, 16, 24, 24, 32, 32);
    }

    @Test
    void aLargeBatchsRowsAreCopiedEachFromItsOwnPositions() {
        // 8 x 256 x 512 floats = 4 MiB: copied on the fork-join pool (at least 256 KiB), each row's first L_b positions
        long[] shape = {8, 256, 512};
        int[] lengths = {256, 1, 100, 256, 37, 255, 2, 128};
        float[] data = new float[8 * 256 * 512];
        for (int i = 0; i < data.length; i++) {
            data[i] = i;
        }
        float[][] rows = Readouts.rowsOf(MemorySegment.ofArray(data), shape, lengths);
        for (int b = 0; b < lengths.length; b++) {
            int from = b * 256 * 512;
            assertThat(rows[b]).as("row " + b).containsExactly(Arrays.copyOfRange(data, from, from + lengths[b] * 512));
        }
    }

    private static Segment piece(String document, int offset, int length) {
        long[] ids = new long[length];
        for (int i = 0; i < length; i++) {
            ids[i] = text[offset + i] & 0xff;
        }
        return new Segment(document, ids, text[offset + length] & 0xff);
    }

    private static void assertClose(String what, ModelPlan plan, List<String> readouts, List<Segment> batch,
                                    Readouts got, Readouts expected, ResidentStates framed, ResidentStates own) {
        for (String name : readouts) {
            assertThat(got.shapes().get(name)).as(what + " " + name).containsExactly(expected.shapes().get(name));
            for (int b = 0; b < batch.size(); b++) {
                assertWithin(what + " " + name + " row " + b, got.row(name, b), expected.row(name, b), 1e-4);
            }
        }
        for (Segment segment : batch) {
            ResidentStates.HostState a = framed.export(segment.document());
            ResidentStates.HostState b = own.export(segment.document());
            assertThat(a.position()).as(what + " position").isEqualTo(b.position());
            for (int i = 0; i < plan.state().size(); i++) {
                assertWithin(what + " " + plan.state().get(i).input() + " of " + segment.document(),
                        a.tensors().get(i), b.tensors().get(i), 1e-4);
            }
        }
    }

    static void assertWithin(String what, float[] got, float[] expected, double tolerance) {
        assertThat(got.length).as(what + " length").isEqualTo(expected.length);
        double max = 0;
        for (int i = 0; i < got.length; i++) {
            max = Math.max(max, Math.abs((double) got[i] - expected[i]));
        }
        assertThat(max).as(what + ": largest difference").isLessThanOrEqualTo(tolerance);
    }

    @Test
    void aStateExportedAndLoadedAgainContinuesExactlyAsTheResidentOne() {
        Path dir = OrtApiSlotTest.zooModels().stream().filter(d -> d.getFileName().toString().equals("longformer-tiny"))
                .findFirst().orElseThrow();
        ModelPlan plan = ModelPlan.read(dir.resolve("baton-model.json"));
        long[] ids = tokens(50_000);
        try (Session session = Session.open(dir.resolve("model.onnx"), SessionConfig.cpu(1));
             ResidentStates resident = ResidentStates.open(session, plan)) {
            resident.admit("a");
            resident.admit("b");
            resident.run(List.of(segment("a", ids, 0)), List.of("logits"));
            resident.run(List.of(segment("a", ids, 1)), List.of("logits"));
            resident.load("copy", resident.export("a"));
            assertThat(resident.position("copy")).isEqualTo(2 * LENGTH);
            Readouts original = resident.run(List.of(segment("a", ids, 2)), List.of("last_hidden_state"));
            Readouts restored = resident.run(List.of(segment("copy", ids, 2)), List.of("last_hidden_state"));
            assertBitwiseEqual("restored", restored.get("last_hidden_state"), original.get("last_hidden_state"));
            resident.evict("copy");
            assertThat(resident.isResident("copy")).isFalse();
            // the freed slot is taken again, and starts from zeros like any admitted document
            resident.admit("again");
            resident.admit("fresh");
            Readouts again = resident.run(List.of(segment("again", ids, 0)), List.of("last_hidden_state"));
            Readouts fresh = resident.run(List.of(segment("fresh", ids, 0)), List.of("last_hidden_state"));
            assertBitwiseEqual("a reused slot", again.get("last_hidden_state"), fresh.get("last_hidden_state"));
        }
    }

    @Test
    void aBatchThatCannotBeRunIsRefusedBeforeTheRuntimeSeesIt() {
        Path dir = OrtApiSlotTest.zooModels().get(0);
        ModelPlan read = ModelPlan.read(dir.resolve("baton-model.json"));
        // as a model without ragged batches: segments of different lengths are refused
        ModelPlan plan = new ModelPlan(read.maskPast(), read.inputs(), read.outputs(), read.state(), false);
        try (Session session = Session.open(dir.resolve("model.onnx"), SessionConfig.cpu(1));
             ResidentStates resident = ResidentStates.open(session, plan, 2);
             ResidentStates ragged = ResidentStates.open(session, new ModelPlan(read.maskPast(), read.inputs(),
                     read.outputs(), read.state(), true), 2)) {
            resident.admit("a");
            resident.admit("b");
            assertThatThrownBy(() -> resident.admit("c"))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("all 2 slots");
            List<String> out = List.of("logits");
            assertThatThrownBy(() -> resident.run(List.of(new Segment("a", new long[4]), new Segment("a", new long[4])), out))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
            assertThatThrownBy(() -> resident.run(List.of(new Segment("a", new long[4]), new Segment("b", new long[3])), out))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one non-zero length");
            ragged.admit("a");
            ragged.admit("b");
            assertThatThrownBy(() -> ragged.run(List.of(new Segment("a", new long[4]), new Segment("b", new long[0])), out))
                    .as("a ragged plan takes different lengths, but not none")
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-zero length");
            assertThat(ragged.position("a")).isZero();
            assertThatThrownBy(() -> resident.run(List.of(new Segment("nobody", new long[4])), out))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not resident");
            assertThatThrownBy(() -> resident.run(List.of(new Segment("a", new long[4])), List.of("no_such_output")))
                    .isInstanceOf(OrtException.class).hasMessageContaining("no_such_output");
            assertThat(resident.position("a")).isZero();
        }
    }

    static void assertBitwiseEqual(String what, float[] got, float[] expected) {
        assertThat(got.length).as(what + " length").isEqualTo(expected.length);
        int differing = 0;
        double maxDiff = 0;
        for (int i = 0; i < got.length; i++) {
            if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(expected[i])) {
                differing++;
                maxDiff = Math.max(maxDiff, Math.abs((double) got[i] - expected[i]));
            }
        }
        assertThat(differing).as(what + ": elements differing in any bit (max |diff| " + maxDiff + ")").isZero();
    }
}
