package io.baton.onnx.ffm;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Live documents' states kept in the runtime's memory (host arena for a CPU session, device memory for a CUDA
 * session) between their segments, and batches of documents run over them with IO binding.
 *
 * <p>A run of B documents, each with a segment of T tokens:
 * <ol>
 *   <li><b>gather</b>: each {@code past*} input is a [B, ...] tensor of the runtime's allocator, row b a copy of
 *       document b's state (for B = 1 the document's own state tensor is bound, no copy);</li>
 *   <li><b>run</b>: {@code input_ids}, {@code attention_mask} and {@code position_ids} are small host tensors
 *       (ONNX Runtime copies them to the device); every {@code present*} output is bound to the runtime's memory,
 *       the readouts asked for to host memory, so only they cross to the host;</li>
 *   <li><b>scatter with retention</b>: {@code replace} states: row b of the present output becomes document b's
 *       state (for B = 1 the present tensor itself is kept, no copy); {@code window} states: the first
 *       {@code pinned} and last {@code window} slots on the axis are copied into document b's state tensor
 *       (two strided copies, {@link DeviceCopy#copy2d}).</li>
 * </ol>
 * A window's kept slots cannot be bound as the next past in place: the present tensor has G + W + T slots per
 * head, the past G + W, so the kept slots of consecutive heads are not one dense block, and ONNX Runtime tensors
 * have no strides; hence the copy into a new tensor of the runtime's memory (for the bench model, 2 x H copies
 * of G + W slots per layer and document, all device-to-device).
 *
 * <p>{@link #export(String)} copies one document's state to the host (the checkpoint write) and {@link #load}
 * puts a state read from the memory service back. Not thread-safe: one batcher thread runs it.
 */
public final class ResidentStates implements AutoCloseable {

    private final Session session;
    private final ModelPlan plan;
    private final Allocator allocator;
    private final MemoryInfo stateMemory;
    private final MemoryInfo host;
    private final DeviceCopy copy;
    private final IoBinding binding;
    private final Map<String, Resident> documents = new HashMap<>();

    /** A document's position and state tensors (one per {@link ModelPlan#state()} entry, batch axis 1). */
    private static final class Resident {
        long position;
        final Tensor[] state;

        Resident(int n) {
            state = new Tensor[n];
        }

        void close() {
            for (Tensor t : state) {
                if (t != null) {
                    t.close();
                }
            }
        }
    }

    /** One document's segment in a batch. */
    public record Segment(String document, long[] tokens) {
    }

    /**
     * The readouts of a run, on the host: for each output name, the batch's values in row-major order of
     * {@code shapes.get(name)} ([B, T, ...]).
     */
    public record Readouts(Map<String, float[]> values, Map<String, long[]> shapes) {

        public float[] get(String output) {
            float[] v = values.get(output);
            if (v == null) {
                throw new IllegalArgumentException("no readout '" + output + "'; read were " + values.keySet());
            }
            return v;
        }
    }

    /** A document's state on the host: its position and one array per state tensor, in plan order. */
    public record HostState(long position, List<float[]> tensors) {
    }

    /**
     * States for {@code session}: CPU or CUDA memory as the session runs, copies through
     * {@link DeviceCopy#forSession}.
     */
    public static ResidentStates open(Session session, ModelPlan plan) {
        MemoryInfo memory = session.usesCuda() ? MemoryInfo.cuda(session.cudaDevice()) : MemoryInfo.cpu();
        try {
            return new ResidentStates(session, plan, memory, DeviceCopy.forSession(session));
        } catch (RuntimeException e) {
            memory.close();
            throw e;
        }
    }

    /** Takes ownership of {@code stateMemory}. */
    public ResidentStates(Session session, ModelPlan plan, MemoryInfo stateMemory, DeviceCopy copy) {
        this.session = session;
        this.plan = plan;
        this.stateMemory = stateMemory;
        this.copy = copy;
        this.allocator = Allocator.of(session, stateMemory);
        this.host = MemoryInfo.cpu();
        this.binding = new IoBinding(session);
    }

    /** Makes {@code document} resident with the initial state (zeros) at position 0. */
    public void admit(String document) {
        if (documents.containsKey(document)) {
            throw new IllegalArgumentException("document " + document + " is already resident");
        }
        Resident resident = allocate();
        for (Tensor t : resident.state) {
            copy.zero(t.address(), t.byteSize());
        }
        copy.synchronize();
        documents.put(document, resident);
    }

    /** Makes {@code document} resident with a state read elsewhere (a checkpoint), replacing any resident one. */
    public void load(String document, HostState state) {
        if (state.tensors().size() != plan.state().size()) {
            throw new IllegalArgumentException("a state of " + state.tensors().size() + " tensors for a plan of "
                    + plan.state().size());
        }
        Resident resident = allocate();
        try {
            for (int i = 0; i < resident.state.length; i++) {
                float[] values = state.tensors().get(i);
                if (values.length != plan.state().get(i).elements()) {
                    throw new IllegalArgumentException(plan.state().get(i).input() + " has "
                            + plan.state().get(i).elements() + " elements, the state " + values.length);
                }
                copy.fromHost(resident.state[i].address(), MemorySegment.ofArray(values));
            }
            copy.synchronize();
        } catch (RuntimeException e) {
            resident.close();
            throw e;
        }
        resident.position = state.position();
        Resident old = documents.put(document, resident);
        if (old != null) {
            old.close();
        }
    }

    /** Copies {@code document}'s state to the host (for its checkpoint); the state stays resident. */
    public HostState export(String document) {
        Resident resident = resident(document);
        List<float[]> tensors = new ArrayList<>(resident.state.length);
        for (Tensor t : resident.state) {
            float[] values = new float[Math.toIntExact(t.elementCount())];
            copy.toHost(MemorySegment.ofArray(values), t.address());
            tensors.add(values);
        }
        return new HostState(resident.position, tensors);
    }

    /** Frees {@code document}'s state (the document ended, or another replica took it). */
    public void evict(String document) {
        Resident resident = documents.remove(document);
        if (resident != null) {
            resident.close();
        }
    }

    public boolean isResident(String document) {
        return documents.containsKey(document);
    }

    public long position(String document) {
        return resident(document).position;
    }

    /**
     * Runs one segment for each of {@code segments}' documents (distinct, resident, segments of one length)
     * and carries their states; returns the {@code readouts} (e.g. {@link ModelPlan#serviceReadouts()}) on the host.
     * A batch refused, or a run that fails, leaves every state as it was; a failure while the outputs are
     * scattered back (a copy failing: the device is in trouble) leaves the batch's states undefined, and the
     * caller evicts those documents and reloads them from their checkpoints.
     */
    public Readouts run(List<Segment> segments, List<String> readouts) {
        int batch = segments.size();
        if (batch == 0) {
            throw new IllegalArgumentException("an empty batch");
        }
        int length = segments.get(0).tokens().length;
        Set<String> seen = new HashSet<>();
        Resident[] rows = new Resident[batch];
        for (int b = 0; b < batch; b++) {
            Segment segment = segments.get(b);
            if (!seen.add(segment.document())) {
                throw new IllegalArgumentException("document " + segment.document() + " twice in one batch");
            }
            if (segment.tokens().length != length || length == 0) {
                throw new IllegalArgumentException("segments of one batch must have one non-zero length; "
                        + segment.document() + " has " + segment.tokens().length + ", the first " + length);
            }
            rows[b] = resident(segment.document());
        }
        List<ModelPlan.StateSpec> specs = plan.state();
        List<Tensor> gathered = new ArrayList<>();
        List<Tensor> outputs = List.of();
        Arena arena = Arena.ofConfined();
        try {
            List<Tensor> inputs = hostInputs(arena, segments, rows, length);
            gathered.addAll(inputs);
            binding.clearInputs();
            binding.clearOutputs();
            binding.bindInput("input_ids", inputs.get(0));
            binding.bindInput("attention_mask", inputs.get(1));
            binding.bindInput("position_ids", inputs.get(2));
            for (int i = 0; i < specs.size(); i++) {
                Tensor past;
                if (batch == 1) {
                    past = rows[0].state[i];
                } else {
                    past = Tensor.allocate(allocator, ElementType.FLOAT, specs.get(i).batched(batch));
                    gathered.add(past);
                    long rowBytes = specs.get(i).elements() * Float.BYTES;
                    for (int b = 0; b < batch; b++) {
                        copy.copy2d(past.address() + b * rowBytes, rowBytes, rows[b].state[i].address(), rowBytes, rowBytes, 1);
                    }
                }
                binding.bindInput(specs.get(i).input(), past);
            }
            copy.synchronize();
            for (String name : readouts) {
                binding.bindOutput(name, host);
            }
            for (ModelPlan.StateSpec spec : specs) {
                binding.bindOutput(spec.output(), stateMemory);
            }
            binding.run();
            outputs = new ArrayList<>(binding.outputs());
            binding.clearInputs();
            binding.clearOutputs();

            Map<String, float[]> values = new LinkedHashMap<>();
            Map<String, long[]> shapes = new LinkedHashMap<>();
            for (int r = 0; r < readouts.size(); r++) {
                Tensor out = outputs.get(r);
                values.put(readouts.get(r), out.hostData().toArray(JAVA_FLOAT));
                shapes.put(readouts.get(r), out.shape());
            }
            for (int i = 0; i < specs.size(); i++) {
                int index = readouts.size() + i;
                scatter(specs.get(i), i, outputs.get(index), rows, length, outputs, index);
            }
            copy.synchronize();
            for (Resident row : rows) {
                row.position += length;
            }
            return new Readouts(values, shapes);
        } finally {
            for (Tensor t : outputs) {
                if (t != null) {
                    t.close();
                }
            }
            gathered.forEach(Tensor::close);
            arena.close();
        }
    }

    /** Carries present output {@code present} of state {@code i} into each row's document. */
    private void scatter(ModelPlan.StateSpec spec, int i, Tensor present, Resident[] rows, int length,
                         List<Tensor> outputs, int index) {
        int batch = rows.length;
        if (!spec.isWindow()) {
            if (present.elementCount() != batch * spec.elements()) {
                throw new OrtException(spec.output() + " has shape " + java.util.Arrays.toString(present.shape())
                        + ", the plan " + java.util.Arrays.toString(spec.batched(batch)));
            }
            if (batch == 1) {
                rows[0].state[i].close();
                rows[0].state[i] = present;
                outputs.set(index, null);
                return;
            }
            long rowBytes = spec.elements() * Float.BYTES;
            for (int b = 0; b < batch; b++) {
                copy.copy2d(rows[b].state[i].address(), rowBytes, present.address() + b * rowBytes, rowBytes, rowBytes, 1);
            }
            return;
        }
        long[] shape = present.shape();
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
        for (int b = 0; b < batch; b++) {
            long src = present.address() + b * presentRow;
            long dst = rows[b].state[i].address();
            copy.copy2d(dst, kept * inner, src, slots * inner, spec.pinned() * inner, outer);
            copy.copy2d(dst + spec.pinned() * inner, kept * inner, src + (slots - spec.window()) * inner,
                    slots * inner, spec.window() * inner, outer);
        }
    }

    /** input_ids, attention_mask (ones of maskPast + T) and position_ids, in host memory the arena owns. */
    private List<Tensor> hostInputs(Arena arena, List<Segment> segments, Resident[] rows, int length) {
        int batch = segments.size();
        int maskLength = plan.maskPast() + length;
        MemorySegment ids = arena.allocate(JAVA_LONG, (long) batch * length);
        MemorySegment mask = arena.allocate(JAVA_LONG, (long) batch * maskLength);
        MemorySegment positions = arena.allocate(JAVA_LONG, (long) batch * length);
        for (int b = 0; b < batch; b++) {
            long[] tokens = segments.get(b).tokens();
            MemorySegment.copy(tokens, 0, ids, JAVA_LONG, (long) b * length * Long.BYTES, length);
            for (int t = 0; t < length; t++) {
                positions.setAtIndex(JAVA_LONG, (long) b * length + t, rows[b].position + t);
            }
        }
        for (long k = 0; k < (long) batch * maskLength; k++) {
            mask.setAtIndex(JAVA_LONG, k, 1L);
        }
        List<Tensor> tensors = new ArrayList<>(3);
        try {
            tensors.add(Tensor.over(host, ids, ElementType.INT64, batch, length));
            tensors.add(Tensor.over(host, mask, ElementType.INT64, batch, maskLength));
            tensors.add(Tensor.over(host, positions, ElementType.INT64, batch, length));
        } catch (RuntimeException e) {
            tensors.forEach(Tensor::close);
            throw e;
        }
        return tensors;
    }

    private Resident allocate() {
        Resident resident = new Resident(plan.state().size());
        try {
            for (int i = 0; i < resident.state.length; i++) {
                resident.state[i] = Tensor.allocate(allocator, ElementType.FLOAT, plan.state().get(i).batched(1));
            }
        } catch (RuntimeException e) {
            resident.close();
            throw e;
        }
        return resident;
    }

    private Resident resident(String document) {
        Resident resident = documents.get(document);
        if (resident == null) {
            throw new IllegalArgumentException("document " + document + " is not resident");
        }
        return resident;
    }

    /** Bytes of state held for all resident documents. */
    public long residentBytes() {
        long bytes = 0;
        for (Resident r : documents.values()) {
            for (Tensor t : r.state) {
                bytes += t.byteSize();
            }
        }
        return bytes;
    }

    @Override
    public void close() {
        documents.values().forEach(Resident::close);
        documents.clear();
        binding.close();
        allocator.close();
        host.close();
        stateMemory.close();
    }
}
