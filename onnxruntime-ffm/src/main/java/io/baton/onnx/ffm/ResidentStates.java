package io.baton.onnx.ffm;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Live documents' states kept in the runtime's memory (host memory for a CPU session, device memory for a CUDA
 * session) between their segments, and batches of documents run over them with IO binding.
 *
 * <p><b>Layout.</b> Each state tensor of the plan has one slab, [capacity, ...shape], in memory of its own
 * ({@link DeviceCopy#allocate}, not the session's arena: see {@link #lasting}); a resident document owns one slot, the same row of every slab. Documents in consecutive
 * slots are consecutive rows, so a batch of them is one dense [B, ...] block: bound as the {@code past*} input in
 * place, and written back with one copy per state.
 *
 * <p>A run of B documents, each with a segment of T tokens (a {@linkplain ModelPlan#ragged() ragged} plan: of
 * L_b <= T real tokens, padded on the right up to the batch's longest segment, T):
 * <ol>
 *   <li><b>gather</b>: when the batch's slots are consecutive and ascending, each {@code past*} input is a
 *       tensor over those slab rows (no copy); otherwise a [B, ...] tensor of the runtime's allocator filled
 *       with one copy per run of consecutive slots;</li>
 *   <li><b>run</b>: {@code input_ids}, {@code attention_mask} and {@code position_ids} are small host tensors
 *       (ONNX Runtime copies them to the device); every {@code present*} output is bound to the runtime's memory
 *       (a separate tensor: reading the past while writing the present in place would be a race), the readouts
 *       asked for to host memory, so only they cross to the host; an output whose span means are asked for
 *       ({@link #run(List, List, String)}: the service's sentence vectors) stays in the runtime's memory, and only
 *       the means cross ({@link SpanMeans});</li>
 *   <li><b>scatter with retention</b>, one copy per run of consecutive slots: {@code replace} states copy the
 *       rows back (the graph leaves a padded row's state as its last real token left it); {@code window}
 *       states copy the first {@code pinned} and the {@code window} slots that end at the row's last real
 *       token (with no padding, the last {@code window}) on the axis, two strided copies ({@link
 *       DeviceCopy#copy2d}) whose rows are (document, head) pairs: the stride is uniform across documents and
 *       heads on both sides, the offset across rows of one length, so a run of slots is cut where the length
 *       changes (full segments and one shorter: up to two more copies per window state). Each document's
 *       position advances by its own length.</li>
 * </ol>
 * A window's kept slots cannot be bound as the next past in place: the present tensor has G + W + T slots per
 * head, the past G + W, so the kept slots of consecutive heads are not one dense block, and ONNX Runtime tensors
 * have no strides; hence the strided copy into the slab. For a batch of consecutive slots that is 2 copies per
 * window state and 1 per replace state, whatever B (the bench model: 20 device copies per batch). A batch's rows
 * run in slot order, whatever order they are given in (the readouts come back in the caller's order), so the
 * documents of a batch that hold consecutive slots make one run in any order; exports likewise.
 *
 * <p><b>Fixed-shape frames (CUDA graphs).</b> Opened with a frame length F > 0, a batch whose segments fit F
 * tokens (a ragged plan; a plan that is not ragged: segments of exactly F) runs in a <i>frame</i>: buffers made once
 * per frame size, bound once, always the same addresses and shapes: the inputs (one block, filled by one copy
 * from page-locked host memory), each {@code past*} input (the batch's slab rows copied in: one device copy per
 * state and run of consecutive slots), each {@code present*} output and each readout. A frame has R rows, the
 * batch rounded up (1, 2, 4, 8, then multiples of 8), its rows past the batch filled with full segments of
 * token 0 whose outputs are not read, and T = F positions, a shorter row padded as in any ragged batch. On a
 * session with {@linkplain SessionConfig#cudaGraphs() CUDA graphs} each frame runs on a session of its own
 * ({@link Session#another()}: the model's weights once more per frame size, up to 7 for batches of up to 32), so
 * ONNX Runtime captures a frame's run once and replays it, one launch instead of the graph's thousand kernels and
 * their host-side work, with nothing else running on that session to take the memory the replays use. Other
 * batches run as above (on the given session, with {@code gpu_graph_id -1}). A frame costs the padding's compute:
 * for GPU serving, not the CPU. {@link #prepareFrames} makes (and captures) every frame size up to a batch size
 * at once, so that no batch in traffic waits for a frame's session and capture.
 *
 * <p>{@link #export(String)} copies one document's state to the host (the checkpoint write) and {@link #load}
 * puts a state read from the memory service back. Not thread-safe: one batcher thread runs it.
 */
public final class ResidentStates implements AutoCloseable {

    /** Slots of a store made by {@link #open(Session, ModelPlan)}. */
    public static final int DEFAULT_CAPACITY = 64;

    /** Below this many bytes a batch's rows are copied on the calling thread (a fork-join hand-off costs more). */
    private static final long PARALLEL_COPY_BYTES = 256 << 10;

    private final ModelPlan plan;
    private final Allocator allocator;
    private final MemoryInfo stateMemory;
    private final MemoryInfo host;
    private final DeviceCopy copy;
    private final IoBinding binding;
    private final int capacity;
    private final Tensor[] slabs;
    private final long[] rowBytes;
    /** One document's state, every tensor: the sum of {@link #rowBytes}. */
    private final long documentBytes;
    /** Host memory the exports go through (page-locked on CUDA): every state tensor's rows of every slot. */
    private final MemorySegment staging;
    private final Map<String, Resident> documents = new HashMap<>();
    private final Deque<Integer> freeSlots = new ArrayDeque<>();
    private final Session session;
    /** F, the tokens of a frame's rows; 0: no frames. */
    private final int frameLength;
    /** Frames by their row count. */
    private final Map<Integer, Frame> frames = new HashMap<>();
    /** What the slabs lie in ({@link #lasting}). */
    private final List<MemorySegment> slabMemory = new ArrayList<>();
    /** {@code gpu_graph_id -1} for the runs outside frames on a session with CUDA graphs; else null (the defaults). */
    private final RunOptions uncaptured;
    /** Span means for runs that ask for them, opened at the first ({@link #spanMeans()}). */
    private SpanMeans spanMeans;

    /** A document's slot (its row in every slab) and position. */
    private static final class Resident {
        final int slot;
        long position;

        Resident(int slot) {
            this.slot = slot;
        }
    }

    /**
     * One document's segment in a batch.
     *
     * @param next  the document's token after the segment (the first of its next segment), scored at the
     *              segment's last position by a graph that takes {@code target_ids}; negative when not known
     * @param spans spans [start, end) of the segment's positions whose means a run that asks for them returns
     *              ({@link #run(List, List, String)}: the service's sentences); none, an empty array
     */
    public record Segment(String document, long[] tokens, long next, int[][] spans) {

        private static final int[][] NO_SPANS = new int[0][];

        /** A segment with no spans. */
        public Segment(String document, long[] tokens, long next) {
            this(document, tokens, next, NO_SPANS);
        }

        /** A segment whose next token is not known (its last position is not scored), with no spans. */
        public Segment(String document, long[] tokens) {
            this(document, tokens, -1);
        }
    }

    /**
     * The readouts of a run, on the host: for each output name, each row's own positions, {@code rows.get(name)[b]}
     * row {@code b}'s first L_b positions in row-major order ([1, L_b, ...], L_b its segment's length), copied
     * once from the run's output (a ragged row's padding is not copied); {@code shapes.get(name)} the run's
     * output shape, [B, T, ...] with T the longest segment; {@code means[b]}, when the run was asked for span means,
     * row b's means over its segment's spans, span after span (S_b x D floats), else null.
     */
    public record Readouts(Map<String, float[][]> rows, Map<String, long[]> shapes, float[][] means) {

        /** Readouts without span means. */
        public Readouts(Map<String, float[][]> rows, Map<String, long[]> shapes) {
            this(rows, shapes, null);
        }

        /**
         * Row b's first {@code lengths[b]} positions of a [B, T, ...] float output ({@code data}, row-major, on the
         * host or the heap), one copy each: what {@link #rows} holds for one output.
         */
        public static float[][] rowsOf(MemorySegment data, long[] shape, int[] lengths) {
            long rowSize = elements(shape) / shape[0];
            long perPosition = rowSize / shape[1];
            float[][] rows = new float[lengths.length][];
            forEachRow(lengths.length, data.byteSize(), b -> {
                rows[b] = new float[Math.toIntExact(lengths[b] * perPosition)];
                MemorySegment.copy(data, JAVA_FLOAT, b * rowSize * Float.BYTES, rows[b], 0, rows[b].length);
            });
            return rows;
        }

        /** Row {@code b} of {@code output}: its first L_b positions. */
        public float[] row(String output, int b) {
            return rows(output)[b];
        }

        /**
         * The whole batch of {@code output} as [B, T, ...] in row-major order, a shorter row's padding zeros (a
         * copy, for comparisons; the service reads {@link #row}).
         */
        public float[] get(String output) {
            float[][] all = rows(output);
            long[] shape = shapes.get(output);
            int rowSize = Math.toIntExact(elements(shape) / shape[0]);
            float[] whole = new float[all.length * rowSize];
            for (int b = 0; b < all.length; b++) {
                System.arraycopy(all[b], 0, whole, b * rowSize, all[b].length);
            }
            return whole;
        }

        private float[][] rows(String output) {
            float[][] v = rows.get(output);
            if (v == null) {
                throw new IllegalArgumentException("no readout '" + output + "'; read were " + rows.keySet());
            }
            return v;
        }
    }

    /** A document's state on the host: its position and one array per state tensor, in plan order. */
    public record HostState(long position, List<float[]> tensors) {
    }

    /** {@link #open(Session, ModelPlan, int)} with {@link #DEFAULT_CAPACITY} slots. */
    public static ResidentStates open(Session session, ModelPlan plan) {
        return open(session, plan, DEFAULT_CAPACITY);
    }

    /** {@link #open(Session, ModelPlan, int, int)} without frames. */
    public static ResidentStates open(Session session, ModelPlan plan, int capacity) {
        return open(session, plan, capacity, 0);
    }

    /**
     * States for up to {@code capacity} documents of {@code session}: CPU or CUDA memory as the session runs,
     * copies through {@link DeviceCopy#forSession}; batches that fit {@code frameLength} tokens (0: none) run in
     * fixed-shape frames, captured as CUDA graphs where the session has them.
     */
    public static ResidentStates open(Session session, ModelPlan plan, int capacity, int frameLength) {
        MemoryInfo memory = session.usesCuda() ? MemoryInfo.cuda(session.cudaDevice()) : MemoryInfo.cpu();
        try {
            return new ResidentStates(session, plan, capacity, memory, DeviceCopy.forSession(session), frameLength);
        } catch (RuntimeException e) {
            memory.close();
            throw e;
        }
    }

    /** Without frames. */
    public ResidentStates(Session session, ModelPlan plan, int capacity, MemoryInfo stateMemory, DeviceCopy copy) {
        this(session, plan, capacity, stateMemory, copy, 0);
    }

    /** Takes ownership of {@code stateMemory}; allocates the slabs ({@code capacity} documents' states). */
    public ResidentStates(Session session, ModelPlan plan, int capacity, MemoryInfo stateMemory, DeviceCopy copy,
                          int frameLength) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        if (frameLength < 0) {
            throw new IllegalArgumentException("frameLength must not be negative, was " + frameLength);
        }
        this.session = session;
        this.frameLength = frameLength;
        this.uncaptured = session.cudaGraphs() ? RunOptions.noCudaGraph() : null;
        this.plan = plan;
        this.capacity = capacity;
        this.stateMemory = stateMemory;
        this.copy = copy;
        this.slabs = new Tensor[plan.state().size()];
        this.rowBytes = plan.state().stream().mapToLong(spec -> spec.elements() * Float.BYTES).toArray();
        this.documentBytes = Arrays.stream(rowBytes).sum();
        this.allocator = Allocator.of(session, stateMemory);
        this.host = MemoryInfo.cpu();
        this.binding = new IoBinding(session);
        MemorySegment hostRows = null;
        try {
            for (int i = 0; i < slabs.length; i++) {
                slabs[i] = lasting(slabMemory, ElementType.FLOAT, plan.state().get(i).batched(capacity));
            }
            hostRows = copy.allocateHost(Math.max(Float.BYTES, slabBytes()));
        } catch (RuntimeException e) {
            this.staging = null;
            close();
            throw e;
        }
        this.staging = hostRows;
        for (int s = 0; s < capacity; s++) {
            freeSlots.add(s);
        }
    }

    /** Makes {@code document} resident with the initial state (zeros) at position 0. */
    public void admit(String document) {
        if (documents.containsKey(document)) {
            throw new IllegalArgumentException("document " + document + " is already resident");
        }
        Resident resident = new Resident(takeSlot(document));
        for (int i = 0; i < slabs.length; i++) {
            copy.zero(address(i, resident.slot), rowBytes[i]);
        }
        copy.synchronize();
        documents.put(document, resident);
    }

    /**
     * Makes {@code document} resident with a state read elsewhere (a checkpoint), replacing any resident one; if
     * the copy fails the document is not resident afterwards.
     */
    public void load(String document, HostState state) {
        if (state.tensors().size() != plan.state().size()) {
            throw new IllegalArgumentException("a state of " + state.tensors().size() + " tensors for a plan of "
                    + plan.state().size());
        }
        for (int i = 0; i < slabs.length; i++) {
            if (state.tensors().get(i).length != plan.state().get(i).elements()) {
                throw new IllegalArgumentException(plan.state().get(i).input() + " has "
                        + plan.state().get(i).elements() + " elements, the state " + state.tensors().get(i).length);
            }
        }
        Resident resident = documents.get(document);
        boolean fresh = resident == null;
        if (fresh) {
            resident = new Resident(takeSlot(document));
        }
        try {
            for (int i = 0; i < slabs.length; i++) {
                copy.fromHost(address(i, resident.slot), MemorySegment.ofArray(state.tensors().get(i)));
            }
            copy.synchronize();
        } catch (RuntimeException e) {
            if (fresh) {
                freeSlots.addFirst(resident.slot);
            } else {
                documents.remove(document);
                freeSlots.addFirst(resident.slot);
            }
            throw e;
        }
        resident.position = state.position();
        documents.put(document, resident);
    }

    /** Copies {@code document}'s state to the host (for its checkpoint); the state stays resident. */
    public HostState export(String document) {
        return export(List.of(document)).get(0);
    }

    /**
     * Copies the states of {@code documents} (distinct, resident) to the host, in their order; they stay resident.
     * One copy per state tensor and run of consecutive slots (a batch that ran together: one per tensor), all
     * queued at once into host memory the copies are fastest to, one wait for them, then each document's rows
     * into its arrays in one pass over the documents (the service's runner exports every batch it runs:
     * docs/performance.md, session 33).
     */
    public List<HostState> export(List<String> documents) {
        Resident[] rows = new Resident[documents.size()];
        for (int b = 0; b < rows.length; b++) {
            rows[b] = resident(documents.get(b));
        }
        int[] order = slotOrder(rows);
        int[] row = order != null ? order : IntStream.range(0, rows.length).toArray();
        int[][] runs = consecutiveRuns(order != null ? inSlotOrder(rows, order) : rows);
        long[] offsets = new long[slabs.length];   // state i's rows in staging, k-th row of the slot order at k x rowBytes[i]
        for (int i = 0; i < slabs.length; i++) {
            offsets[i] = i == 0 ? 0 : offsets[i - 1] + (long) rows.length * rowBytes[i - 1];
            for (int[] run : runs) {
                copy.toHostAsync(staging.asSlice(offsets[i] + run[0] * rowBytes[i], run[2] * rowBytes[i]),
                        address(i, run[1]));
            }
        }
        copy.synchronize();
        float[][][] values = new float[rows.length][slabs.length][];
        forEachRow(rows.length, rows.length * documentBytes, k -> {
            for (int i = 0; i < slabs.length; i++) {
                float[] tensor = new float[Math.toIntExact(rowBytes[i] / Float.BYTES)];
                MemorySegment.copy(staging, JAVA_FLOAT, offsets[i] + k * rowBytes[i], tensor, 0, tensor.length);
                values[row[k]][i] = tensor;   // each row its own
            }
        });
        List<HostState> states = new ArrayList<>(rows.length);
        for (int b = 0; b < rows.length; b++) {
            states.add(new HostState(rows[b].position, Arrays.asList(values[b])));
        }
        return states;
    }

    /**
     * {@code copy} of each row in [0, {@code rows}), from host memory into new heap arrays: on the common fork-join
     * pool once the rows add up to {@link #PARALLEL_COPY_BYTES} or more, else on this thread. One core fills
     * fresh arrays at a fraction of the machine's memory bandwidth, and a batch of 32 on the bench model copies
     * 16.8 MB of hidden states and 20.8 MB of states per run on the runner thread, before the next batch can
     * start (docs/performance.md, session 28). Each call touches only its own row.
     */
    private static void forEachRow(int rows, long bytes, IntConsumer copy) {
        IntStream each = IntStream.range(0, rows);
        (bytes >= PARALLEL_COPY_BYTES && rows > 1 ? each.parallel() : each).forEach(copy);
    }

    /** Frees {@code document}'s slot (the document ended, or another replica took it). */
    public void evict(String document) {
        Resident resident = documents.remove(document);
        if (resident != null) {
            freeSlots.addFirst(resident.slot);
        }
    }

    public boolean isResident(String document) {
        return documents.containsKey(document);
    }

    public long position(String document) {
        return resident(document).position;
    }

    /** How many documents can be resident at once. */
    public int capacity() {
        return capacity;
    }

    /** The row counts of the frames made so far (none without a frame length). */
    public Set<Integer> frameSizes() {
        return Set.copyOf(frames.keySet());
    }

    /** Bytes of the slabs (every slot's state, used or not). */
    public long slabBytes() {
        return documentBytes * capacity;
    }

    /**
     * Runs one segment for each of {@code segments}' documents (distinct, resident, segments of one length, or
     * of any non-zero lengths for a {@linkplain ModelPlan#ragged() ragged} plan) and carries their states;
     * returns the {@code readouts} (e.g. {@link ModelPlan#serviceReadouts()}) on the host, [B, T, ...] with T
     * the longest segment: a shorter row's positions past its own length are padding, their values unspecified.
     * A batch refused, or a run that fails, leaves every state as it was; a failure while the outputs are
     * scattered back (a copy failing: the device is in trouble) leaves the batch's states undefined, and the
     * caller evicts those documents and reloads them from their checkpoints.
     */
    public Readouts run(List<Segment> segments, List<String> readouts) {
        return run(segments, readouts, null);
    }

    /**
     * {@link #run(List, List)}, and the means of output {@code meansOf} (e.g. {@code last_hidden_state}; null: none)
     * over each segment's {@linkplain Segment#spans() spans}, computed in the runtime's memory ({@link SpanMeans}):
     * only the means cross to the host, in {@link Readouts#means()}, not {@code meansOf} itself (it may not also be
     * among {@code readouts}).
     */
    public Readouts run(List<Segment> segments, List<String> readouts, String meansOf) {
        int batch = segments.size();
        if (meansOf != null && readouts.contains(meansOf)) {
            throw new IllegalArgumentException(meansOf + " asked for both as a readout and as span means");
        }
        if (batch == 0) {
            throw new IllegalArgumentException("an empty batch");
        }
        int first = segments.get(0).tokens().length;
        int length = 0;
        int[] lengths = new int[batch];
        Set<String> seen = new HashSet<>();
        Resident[] rows = new Resident[batch];
        for (int b = 0; b < batch; b++) {
            Segment segment = segments.get(b);
            if (!seen.add(segment.document())) {
                throw new IllegalArgumentException("document " + segment.document() + " twice in one batch");
            }
            lengths[b] = segment.tokens().length;
            if (lengths[b] == 0 || !plan.ragged() && lengths[b] != first) {
                throw new IllegalArgumentException("segments of one batch must have "
                        + (plan.ragged() ? "a non-zero length; " : "one non-zero length (the plan is not ragged); ")
                        + segment.document() + " has " + lengths[b] + ", the first " + first);
            }
            for (int[] span : segment.spans()) {
                SpanMeans.check(span, lengths[b], segment.document());
            }
            length = Math.max(length, lengths[b]);
            rows[b] = resident(segment.document());
        }
        int[] order = slotOrder(rows);
        if (order == null) {
            return runInSlotOrder(segments, rows, lengths, length, readouts, meansOf);
        }
        List<Segment> sorted = new ArrayList<>(batch);
        int[] sortedLengths = new int[batch];
        for (int k = 0; k < batch; k++) {
            sorted.add(segments.get(order[k]));
            sortedLengths[k] = lengths[order[k]];
        }
        Readouts out = runInSlotOrder(sorted, inSlotOrder(rows, order), sortedLengths, length, readouts, meansOf);
        Map<String, float[][]> inOrder = new LinkedHashMap<>();
        out.rows().forEach((name, values) -> inOrder.put(name, inCallersOrder(values, order)));
        return new Readouts(inOrder, out.shapes(), out.means() == null ? null : inCallersOrder(out.means(), order));
    }

    /** Rows given in slot order ({@code order[k]}: the batch row that came k-th) back in the caller's order. */
    private static float[][] inCallersOrder(float[][] values, int[] order) {
        float[][] back = new float[values.length][];
        for (int k = 0; k < values.length; k++) {
            back[order[k]] = values[k];
        }
        return back;
    }

    /**
     * {@link #run} of a batch whose rows are in slot order, so that its runs of consecutive slots are as long as the
     * slots allow: the copies between the slabs and the run's buffers are one per state and run of slots, each
     * a call into the runtime (a CUDA API call on the device), so a batch of 32 in another order paid up to 32
     * times as many (docs/performance.md, session 30).
     */
    private Readouts runInSlotOrder(List<Segment> segments, Resident[] rows, int[] lengths, int length,
                                    List<String> readouts, String meansOf) {
        int batch = segments.size();
        int[][] runs = consecutiveRuns(rows);
        if (frameLength > 0 && (plan.ragged() ? length <= frameLength : length == frameLength)) {
            return frame(batch, readouts, meansOf).run(segments, rows, lengths, runs);
        }
        boolean inPlace = runs.length == 1;
        List<ModelPlan.StateSpec> specs = plan.state();
        List<Tensor> owned = new ArrayList<>();
        List<Tensor> outputs = List.of();
        Arena arena = Arena.ofConfined();
        try {
            List<Tensor> inputs = hostInputs(arena, segments, rows, lengths, length);
            owned.addAll(inputs);
            binding.clearInputs();
            binding.clearOutputs();
            binding.bindInput("input_ids", inputs.get(0));
            binding.bindInput("attention_mask", inputs.get(1));
            binding.bindInput("position_ids", inputs.get(2));
            if (plan.scoresTokens()) {
                binding.bindInput("target_ids", inputs.get(3));
            }
            for (int i = 0; i < specs.size(); i++) {
                Tensor past;
                if (inPlace) {
                    MemorySegment rowsOfSlab = MemorySegment.ofAddress(address(i, rows[0].slot)).reinterpret(batch * rowBytes[i]);
                    past = Tensor.over(stateMemory, rowsOfSlab, ElementType.FLOAT, specs.get(i).batched(batch));
                    owned.add(past);
                } else {
                    past = Tensor.allocate(allocator, ElementType.FLOAT, specs.get(i).batched(batch));
                    owned.add(past);
                    gather(i, past, runs);
                }
                binding.bindInput(specs.get(i).input(), past);
            }
            copy.synchronize();
            for (String name : readouts) {
                binding.bindOutput(name, host);
            }
            if (meansOf != null) {
                binding.bindOutput(meansOf, stateMemory);
            }
            for (ModelPlan.StateSpec spec : specs) {
                binding.bindOutput(spec.output(), stateMemory);
            }
            binding.run(uncaptured);
            outputs = binding.outputs();
            binding.clearInputs();
            binding.clearOutputs();

            Map<String, float[][]> values = new LinkedHashMap<>();
            Map<String, long[]> shapes = new LinkedHashMap<>();
            for (int r = 0; r < readouts.size(); r++) {
                Tensor out = outputs.get(r);
                values.put(readouts.get(r), Readouts.rowsOf(out.hostData(), out.shape(), lengths));
                shapes.put(readouts.get(r), out.shape());
            }
            int presents = readouts.size();
            float[][] means = null;
            if (meansOf != null) {
                means = spanMeans().means(outputs.get(presents++), spansOf(segments));
            }
            carry(outputs.subList(presents, outputs.size()), runs, rows, lengths, length);
            return new Readouts(values, shapes, means);
        } finally {
            outputs.forEach(Tensor::close);
            owned.forEach(Tensor::close);
            arena.close();
        }
    }

    /** Copies the batch's rows of state {@code i}'s slab into {@code past} (row b at row b), one copy per run of slots. */
    private void gather(int i, Tensor past, int[][] runs) {
        for (int[] run : runs) {
            long bytes = run[2] * rowBytes[i];
            copy.copy2d(past.address() + run[0] * rowBytes[i], bytes, address(i, run[1]), bytes, bytes, 1);
        }
    }

    /**
     * After a run of T = {@code length} positions: every state's present output ({@code presents}, plan order)
     * scattered back into the slabs with retention, and each document's position advanced by its length.
     */
    private void carry(List<Tensor> presents, int[][] runs, Resident[] rows, int[] lengths, int length) {
        int[][] padded = samePadding(runs, lengths, length);
        for (int i = 0; i < presents.size(); i++) {
            scatter(i, presents.get(i), runs, padded, rows.length, length);
        }
        copy.synchronize();
        for (int b = 0; b < rows.length; b++) {
            rows[b].position += lengths[b];
        }
    }

    /**
     * Carries present output {@code present} of state {@code i} back into the slab: a {@code replace} state one
     * copy per run of consecutive slots ({@code runs}), a window two per run of consecutive slots whose rows have
     * one padding ({@code padded}: {batch row, first slot, count, padding}), its window ending at their last real
     * token.
     */
    private void scatter(int i, Tensor present, int[][] runs, int[][] padded, int batch, int length) {
        ModelPlan.StateSpec spec = plan.state().get(i);
        long[] shape = present.shape();
        if (!spec.isWindow()) {
            if (shape[0] < batch || present.elementCount() != shape[0] * spec.elements()) {
                throw new OrtException(spec.output() + " has shape " + Arrays.toString(shape) + ", the plan "
                        + Arrays.toString(spec.batched(batch)));
            }
            for (int[] run : runs) {
                long bytes = run[2] * rowBytes[i];
                copy.copy2d(address(i, run[1]), bytes, present.address() + run[0] * rowBytes[i], bytes, bytes, 1);
            }
            return;
        }
        int axis = spec.axis();
        long kept = spec.pinned() + spec.window();
        long slots = shape[axis];
        if (slots != kept + length) {
            throw new OrtException(spec.output() + " has " + slots + " slots on axis " + axis + ", expected "
                    + kept + " + " + length);
        }
        long outer = 1;
        for (int a = 1; a < axis; a++) {
            outer *= shape[a];
        }
        long inner = Float.BYTES;
        for (int a = axis + 1; a < shape.length; a++) {
            inner *= shape[a];
        }
        long presentRow = outer * slots * inner;
        for (int[] run : padded) {
            long src = present.address() + run[0] * presentRow;
            long dst = address(i, run[1]);
            long rowsOfCopy = run[2] * outer;
            long end = slots - run[3];   // after the last real token: [G ; W ; L] of [G ; W ; T]
            copy.copy2d(dst, kept * inner, src, slots * inner, spec.pinned() * inner, rowsOfCopy);
            copy.copy2d(dst + spec.pinned() * inner, kept * inner, src + (end - spec.window()) * inner,
                    slots * inner, spec.window() * inner, rowsOfCopy);
        }
    }

    /**
     * {@code runs} split where the rows' padding (T minus the row's length) changes: {batch row, first slot,
     * count, padding}. A batch of one length keeps its runs.
     */
    private static int[][] samePadding(int[][] runs, int[] lengths, int length) {
        List<int[]> split = new ArrayList<>();
        for (int[] run : runs) {
            int start = 0;
            for (int r = 1; r <= run[2]; r++) {
                if (r == run[2] || lengths[run[0] + r] != lengths[run[0] + start]) {
                    split.add(new int[] {run[0] + start, run[1] + start, r - start, length - lengths[run[0] + start]});
                    start = r;
                }
            }
        }
        return split.toArray(new int[0][]);
    }

    private static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /**
     * The batch's rows sorted by slot ({@code order[k]}: the batch row that comes k-th), or null when they are in
     * slot order already.
     */
    private static int[] slotOrder(Resident[] rows) {
        boolean sorted = true;
        for (int b = 1; b < rows.length && sorted; b++) {
            sorted = rows[b].slot > rows[b - 1].slot;
        }
        if (sorted) {
            return null;
        }
        return IntStream.range(0, rows.length).boxed()
                .sorted(Comparator.comparingInt(b -> rows[b].slot)).mapToInt(Integer::intValue).toArray();
    }

    /** {@code rows} in the order {@link #slotOrder} gave ({@code order[k]}: the row that comes k-th). */
    private static Resident[] inSlotOrder(Resident[] rows, int[] order) {
        Resident[] sorted = new Resident[rows.length];
        for (int k = 0; k < rows.length; k++) {
            sorted[k] = rows[order[k]];
        }
        return sorted;
    }

    /**
     * The batch as runs of consecutive slots: {batch row, first slot, count}, in batch order; one run when the
     * slots are consecutive and ascending.
     */
    private static int[][] consecutiveRuns(Resident[] rows) {
        List<int[]> runs = new ArrayList<>();
        int start = 0;
        for (int b = 1; b <= rows.length; b++) {
            if (b == rows.length || rows[b].slot != rows[b - 1].slot + 1) {
                runs.add(new int[] {start, rows[start].slot, b - start});
                start = b;
            }
        }
        return runs.toArray(new int[0][]);
    }

    /**
     * input_ids, attention_mask (ones of maskPast + T), position_ids and, for a graph that scores tokens,
     * target_ids (each position's next token: the segment's own, then {@link Segment#next()}), in host memory
     * the arena owns ({@link #writeInputs}).
     */
    private List<Tensor> hostInputs(Arena arena, List<Segment> segments, Resident[] rows, int[] lengths, int length) {
        int batch = segments.size();
        long[] shape = {batch, length};
        long[] maskShape = {batch, plan.maskPast() + length};
        MemorySegment ids = arena.allocate(JAVA_LONG, (long) batch * length);
        MemorySegment mask = arena.allocate(JAVA_LONG, maskShape[0] * maskShape[1]);
        MemorySegment positions = arena.allocate(JAVA_LONG, (long) batch * length);
        MemorySegment targets = plan.scoresTokens() ? arena.allocate(JAVA_LONG, (long) batch * length) : null;
        writeInputs(ids, mask, positions, targets, segments, rows, lengths, length, batch);
        List<Tensor> tensors = new ArrayList<>(4);
        try {
            tensors.add(Tensor.over(host, ids, ElementType.INT64, shape));
            tensors.add(Tensor.over(host, mask, ElementType.INT64, maskShape));
            tensors.add(Tensor.over(host, positions, ElementType.INT64, shape));
            if (targets != null) {
                tensors.add(Tensor.over(host, targets, ElementType.INT64, shape));
            }
        } catch (RuntimeException e) {
            tensors.forEach(Tensor::close);
            throw e;
        }
        return tensors;
    }

    /**
     * Writes {@code rowCount} rows of T = {@code length} positions: the segments' first (a row shorter than T,
     * {@code lengths}, padded on the right: input 0, positions counting on, target -1, and 0 in the mask's last T
     * columns), then rows of T tokens 0 at positions from 0, all real, no target (a frame's rows past the batch).
     * {@code targets} is null for a graph that does not score tokens. The rows are made in heap arrays and copied
     * into the segments at once: element by element ({@code setAtIndex}) the service's runner thread spent more of
     * its Java time here than anywhere else, in the accessors' checks (JFR, docs/performance.md, session 31).
     */
    private void writeInputs(MemorySegment ids, MemorySegment mask, MemorySegment positions, MemorySegment targets,
                             List<Segment> segments, Resident[] rows, int[] lengths, int length, int rowCount) {
        int maskLength = plan.maskPast() + length;
        int cells = rowCount * length;
        long[] idRows = new long[cells];
        long[] positionRows = new long[cells];
        long[] targetRows = targets == null ? null : new long[cells];
        long[] maskRows = new long[rowCount * maskLength];
        for (int b = 0; b < rowCount; b++) {
            boolean filler = b >= segments.size();
            int real = filler ? length : lengths[b];
            int row = b * length;
            long start = filler ? 0 : rows[b].position;
            for (int t = 0; t < length; t++) {
                positionRows[row + t] = start + t;
            }
            if (!filler) {
                long[] tokens = segments.get(b).tokens();
                System.arraycopy(tokens, 0, idRows, row, real);
                if (targetRows != null) {
                    System.arraycopy(tokens, 1, targetRows, row, real - 1);
                    targetRows[row + real - 1] = Math.max(segments.get(b).next(), -1);
                    Arrays.fill(targetRows, row + real, row + length, -1L);
                }
            } else if (targetRows != null) {
                Arrays.fill(targetRows, row, row + length, -1L);
            }
            Arrays.fill(maskRows, b * maskLength, b * maskLength + plan.maskPast() + real, 1L);
        }
        MemorySegment.copy(idRows, 0, ids, JAVA_LONG, 0, cells);
        MemorySegment.copy(positionRows, 0, positions, JAVA_LONG, 0, cells);
        if (targets != null) {
            MemorySegment.copy(targetRows, 0, targets, JAVA_LONG, 0, cells);
        }
        MemorySegment.copy(maskRows, 0, mask, JAVA_LONG, 0, maskRows.length);
    }

    /** The rows of a frame for a batch: 1, 2, 4, 8, then the next multiple of 8. */
    static int frameRows(int batch) {
        return batch <= 8 ? Integer.highestOneBit(Math.max(1, batch * 2 - 1)) : (batch + 7) / 8 * 8;
    }

    /**
     * Makes the frame of every batch size up to {@code largestBatch} that fits a frame (1, 2, 4, 8, then multiples of
     * 8) for runs reading {@code readouts} and {@code meansOf}'s span means, and runs each a few times on filler rows,
     * so that a session with CUDA graphs captures it now: made on first use instead, a frame's session, its first
     * run and its capture stall the batch that needs it, and every batch behind it, for as long as a model load
     * takes (seconds on the GPU, docs/performance.md, session 31). The filler runs touch no document's state.
     * Returns the frame sizes there are now.
     */
    public Set<Integer> prepareFrames(int largestBatch, List<String> readouts, String meansOf) {
        if (frameLength == 0) {
            return frameSizes();
        }
        for (int batch = 1; batch <= Math.min(largestBatch, capacity); batch = frameRows(batch) + 1) {
            frame(batch, readouts, meansOf).warm();
        }
        return frameSizes();
    }

    /** The frame for a batch of {@code batch} reading {@code readouts} and {@code meansOf}'s span means, made on first use. */
    private Frame frame(int batch, List<String> readouts, String meansOf) {
        int rowCount = frameRows(batch);
        List<String> outputs = new ArrayList<>(readouts);
        if (meansOf != null) {
            outputs.add(meansOf);
        }
        Frame frame = frames.get(rowCount);
        if (frame != null && !(frame.readouts.equals(outputs) && Objects.equals(frame.meansOf, meansOf))) {
            frames.remove(rowCount).close();
            frame = null;
        }
        if (frame == null) {
            frame = new Frame(rowCount, List.copyOf(outputs), meansOf);
            frames.put(rowCount, frame);
        }
        return frame;
    }

    /** Each segment's spans, in batch order. */
    private static List<int[][]> spansOf(List<Segment> segments) {
        return segments.stream().map(Segment::spans).toList();
    }

    /** The span means' session, opened on first use beside the model's ({@link SpanMeans#like}). */
    private SpanMeans spanMeans() {
        if (spanMeans == null) {
            spanMeans = SpanMeans.like(session);
        }
        return spanMeans;
    }

    /**
     * A batch size's fixed buffers: inputs, past states, present states and readouts, all in the runtime's memory
     * (the device on CUDA) at addresses that never change, bound once; page-locked host memory for the inputs and
     * readouts that cross. Made by one run outside any graph that reads the outputs' shapes.
     */
    private final class Frame implements AutoCloseable {
        final int rowCount;
        /** The outputs read: readouts copied out, and last {@link #meansOf} when not null (its means are). */
        final List<String> readouts;
        final String meansOf;
        private final List<Tensor> owned = new ArrayList<>();
        /** What {@link #owned}'s lasting tensors lie in. */
        private final List<MemorySegment> memory = new ArrayList<>();
        private final Tensor inputBlock;
        private final Tensor[] past;
        private final Tensor[] present;
        private final Tensor[] read;
        private final MemorySegment hostIn;
        /** {@code hostIn} as input_ids, attention_mask, position_ids and target_ids (null without it), back to back. */
        private final MemorySegment[] hostInputs;
        private final MemorySegment hostOut;
        /** The session the frame runs on: one of its own where runs are captured ({@link #sessionOf}). */
        private final Session frameSession;
        private final IoBinding frameBinding;
        private final RunOptions options;

        Frame(int rowCount, List<String> readouts, String meansOf) {
            this.rowCount = rowCount;
            this.readouts = readouts;
            this.meansOf = meansOf;
            List<ModelPlan.StateSpec> specs = plan.state();
            int inputs = plan.scoresTokens() ? 4 : 3;
            long cells = (long) rowCount * frameLength;
            long maskCells = (long) rowCount * (plan.maskPast() + frameLength);
            long total = cells * (inputs - 1) + maskCells;
            MemorySegment in = null;
            MemorySegment out = null;
            IoBinding b = null;
            RunOptions o = null;
            Session own = sessionOf();
            try {
                in = copy.allocateHost(total * Long.BYTES);
                inputBlock = keep(lasting(memory, ElementType.INT64, total));
                long[] offsets = {0, cells, cells + maskCells, 2 * cells + maskCells};
                long[][] shapes = {{rowCount, frameLength}, {rowCount, plan.maskPast() + frameLength},
                    {rowCount, frameLength}, {rowCount, frameLength}};
                b = new IoBinding(own);
                String[] names = {"input_ids", "attention_mask", "position_ids", "target_ids"};
                hostInputs = new MemorySegment[4];
                for (int k = 0; k < inputs; k++) {
                    long bytes = shapes[k][0] * shapes[k][1] * Long.BYTES;
                    MemorySegment at = MemorySegment.ofAddress(inputBlock.address() + offsets[k] * Long.BYTES).reinterpret(bytes);
                    b.bindInput(names[k], keep(Tensor.over(stateMemory, at, ElementType.INT64, shapes[k])));
                    hostInputs[k] = in.asSlice(offsets[k] * Long.BYTES, bytes);
                }
                this.hostIn = in;
                writeInputs(List.of(), new Resident[0], new int[0]);
                past = new Tensor[specs.size()];
                present = new Tensor[specs.size()];
                for (int i = 0; i < specs.size(); i++) {
                    past[i] = keep(lasting(memory, ElementType.FLOAT, specs.get(i).batched(rowCount)));
                    copy.zero(past[i].address(), past[i].byteSize());
                    b.bindInput(specs.get(i).input(), past[i]);
                }
                copy.synchronize();
                // One run with outputs ONNX Runtime allocates, for their shapes.
                for (String name : readouts) {
                    b.bindOutput(name, stateMemory);
                }
                for (ModelPlan.StateSpec spec : specs) {
                    b.bindOutput(spec.output(), stateMemory);
                }
                b.run(uncaptured);
                List<Tensor> shaped = b.outputs();
                read = new Tensor[readouts.size()];
                long largest = Float.BYTES;
                try {
                    b.clearOutputs();
                    for (int r = 0; r < read.length; r++) {
                        read[r] = keep(lasting(memory, ElementType.FLOAT, shaped.get(r).shape()));
                        b.bindOutput(readouts.get(r), read[r]);
                        largest = Math.max(largest, read[r].byteSize());
                    }
                    for (int i = 0; i < specs.size(); i++) {
                        present[i] = keep(lasting(memory, ElementType.FLOAT,
                                shaped.get(read.length + i).shape()));
                        b.bindOutput(specs.get(i).output(), present[i]);
                    }
                } finally {
                    shaped.forEach(Tensor::close);
                }
                out = copy.allocateHost(largest);
                o = own.cudaGraphs() ? RunOptions.cudaGraph(own.newCudaGraphId()) : null;
            } catch (RuntimeException e) {
                owned.forEach(Tensor::close);
                memory.forEach(copy::free);
                if (b != null) {
                    b.close();
                }
                if (in != null) {
                    copy.freeHost(in);
                }
                if (out != null) {
                    copy.freeHost(out);
                }
                if (own != session) {
                    own.close();
                }
                throw e;
            }
            this.frameSession = own;
            this.hostOut = out;
            this.frameBinding = b;
            this.options = o;
        }

        /**
         * Runs the frame on filler rows alone, as many times as ONNX Runtime takes to capture it (a warm-up run,
         * then the captured one) and once replayed: nothing is read, no slab is touched.
         */
        void warm() {
            writeInputs(List.of(), new Resident[0], new int[0]);
            copy.synchronize();
            for (int r = 0; r < 3; r++) {
                frameBinding.run(options);
            }
        }

        /** The segments' rows then filler rows into the page-locked inputs, and those to the frame's input block. */
        private void writeInputs(List<Segment> segments, Resident[] rows, int[] lengths) {
            ResidentStates.this.writeInputs(hostInputs[0], hostInputs[1], hostInputs[2], hostInputs[3], segments, rows,
                    lengths, frameLength, rowCount);
            copy.fromHost(inputBlock.address(), hostIn);
        }

        private Tensor keep(Tensor tensor) {
            owned.add(tensor);
            return tensor;
        }

        /** The batch in this frame: inputs and past rows copied in, the run (a graph replay), readouts and states out. */
        Readouts run(List<Segment> segments, Resident[] rows, int[] lengths, int[][] runs) {
            int batch = segments.size();
            int longest = Arrays.stream(lengths).max().orElseThrow();
            List<ModelPlan.StateSpec> specs = plan.state();
            writeInputs(segments, rows, lengths);
            for (int i = 0; i < specs.size(); i++) {
                gather(i, past[i], runs);
            }
            copy.synchronize();
            frameBinding.run(options);

            Map<String, float[][]> values = new LinkedHashMap<>();
            Map<String, long[]> shapes = new LinkedHashMap<>();
            float[][] means = null;
            for (int r = 0; r < read.length; r++) {
                long[] shape = read[r].shape();
                shape[0] = batch;
                long bytes = read[r].byteSize() / rowCount * batch;
                if (readouts.get(r).equals(meansOf)) {
                    // the batch's rows of the frame's buffer, not its filler rows
                    MemorySegment batchRows = MemorySegment.ofAddress(read[r].address()).reinterpret(bytes);
                    try (Tensor rowsOfBatch = Tensor.over(stateMemory, batchRows, ElementType.FLOAT, shape)) {
                        means = spanMeans().means(rowsOfBatch, spansOf(segments));
                    }
                    continue;
                }
                MemorySegment rowsOut = hostOut.asSlice(0, bytes);
                copy.toHost(rowsOut, read[r].address());
                values.put(readouts.get(r), Readouts.rowsOf(rowsOut, shape, lengths));
                shape[1] = longest;   // as a run of the batch's own shape reports it
                shapes.put(readouts.get(r), shape);
            }
            carry(Arrays.asList(present), runs, rows, lengths, frameLength);
            return new Readouts(values, shapes, means);
        }

        /**
         * Where runs are captured (a session with CUDA graphs), a session of the model's own for this frame
         * ({@link Session#another()}), on which nothing but this frame runs: a captured graph's replays read and write
         * the chunks of the session's memory arenas (device and page-locked host) that its capture used, which the
         * arenas hand out again to any later run on the session, so the one graph and its first, shape-finding
         * run must be the session's only runs. With several frames on one session, their graphs and the runs
         * outside them took each other's chunks: an illegal memory access once batches of several sizes
         * alternated, on the H100 (docs/performance.md, session 27). Without capture, the states' own session.
         */
        private Session sessionOf() {
            return session.cudaGraphs() ? session.another() : session;
        }

        @Override
        public void close() {
            frameBinding.close();
            owned.forEach(Tensor::close);
            memory.forEach(copy::free);
            copy.freeHost(hostIn);
            copy.freeHost(hostOut);
            if (options != null) {
                options.close();
            }
            if (frameSession != session) {
                frameSession.close();
            }
        }
    }

    /**
     * A tensor that outlives runs (a slab, a frame's buffer) in memory of its own ({@link DeviceCopy#allocate},
     * recorded in {@code memory} for freeing), never in a session's arena: a captured CUDA graph replays into the
     * arena chunks its capture used, which the arena hands out again after that run, so nothing that must keep its
     * contents may lie there. Runs' own temporaries stay in the arena.
     */
    private Tensor lasting(List<MemorySegment> memory, ElementType type, long... shape) {
        MemorySegment data = copy.allocate(Tensor.byteSize(type, shape));
        memory.add(data);
        return Tensor.over(stateMemory, data, type, shape);
    }

    private long address(int state, int slot) {
        return slabs[state].address() + slot * rowBytes[state];
    }

    private int takeSlot(String document) {
        Integer slot = freeSlots.pollFirst();
        if (slot == null) {
            throw new IllegalStateException("all " + capacity + " slots hold documents; evict one before admitting "
                    + document);
        }
        return slot;
    }

    private Resident resident(String document) {
        Resident resident = documents.get(document);
        if (resident == null) {
            throw new IllegalArgumentException("document " + document + " is not resident");
        }
        return resident;
    }

    @Override
    public void close() {
        frames.values().forEach(Frame::close);
        frames.clear();
        if (spanMeans != null) {
            spanMeans.close();
        }
        if (uncaptured != null) {
            uncaptured.close();
        }
        documents.clear();
        for (Tensor slab : slabs) {
            if (slab != null) {
                slab.close();
            }
        }
        slabMemory.forEach(copy::free);
        if (staging != null) {
            copy.freeHost(staging);
        }
        binding.close();
        allocator.close();
        host.close();
        stateMemory.close();
    }
}
