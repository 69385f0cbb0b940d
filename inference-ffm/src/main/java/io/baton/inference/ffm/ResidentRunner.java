package io.baton.inference.ffm;

import io.baton.inference.models.DocumentState;
import io.baton.inference.models.FloatTensor;
import io.baton.inference.models.SegmentInput;
import io.baton.inference.models.SegmentModel;
import io.baton.inference.models.SegmentOutput;
import io.baton.inference.models.SegmentRunner;
import io.baton.onnx.ffm.ModelPlan;
import io.baton.onnx.ffm.OrtException;
import io.baton.onnx.ffm.ResidentStates;
import io.baton.onnx.ffm.Session;
import io.baton.onnx.ffm.SessionConfig;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A model's batches run with its live documents' states kept in the runtime's memory ({@link ResidentStates}:
 * device memory on CUDA) between their segments, on a session of its own over the same {@code model.onnx}.
 *
 * <p>A document continues from its resident state when the segment's input state is the very object this
 * runner returned as the document's next state ({@link SegmentRunner}'s rule); otherwise (first segment, a
 * state read from the memory service, a retry of an earlier segment, a document evicted) the input state is
 * loaded into the document's slot first. After the run, every document's new state is copied to the host, the
 * one copy per segment that the checkpoint needs, and returned as its next state. Only the readouts the service
 * reads ({@link ModelPlan#serviceReadouts()}: {@code token_nll} and {@code last_hidden_state}) leave the
 * runtime's memory besides; with the sentence means in the runtime ({@link Settings#sentenceMeansInRuntime()}, the
 * default on CUDA) {@code last_hidden_state} does not either: its means over each segment's sentences are computed
 * where it lies ({@link ResidentStates#run(List, List, String)}) and returned as the output's sentence vectors.
 *
 * <p>A model whose plan takes ragged batches runs segments of different lengths in one batch here too, as the
 * model's own run does ({@link #takesRaggedBatches()}): each row's readouts are cut to its length.
 *
 * <p>When all slots are taken, the document least recently run that is not in the batch gives up its slot
 * (it is loaded again from its state if it comes back). A run that fails forgets the batch's documents: their
 * slots may hold a half-written state, and their next segment loads its input state. Runs of one model are
 * serialised (one {@link ResidentStates}); the service's runner threads run other models meanwhile.
 */
final class ResidentRunner implements SegmentRunner {

    private static final String HIDDEN = "last_hidden_state";

    private final SegmentModel model;
    private final Session session;
    private final ResidentStates states;
    private final ModelPlan plan;
    private final List<String> readouts;
    /** The output whose span means the runs compute ({@code last_hidden_state}), or null: it is copied out. */
    private final String meansOf;
    private final long stateBytes;
    private final String describe;
    /**
     * Resident documents, least recently run first, with the state this runner last returned for each, weakly:
     * only a holder of that very object (the state cache, a request in flight) can continue from it, so the
     * runner does not keep it alive by itself (up to capacity x the state's bytes on the heap otherwise).
     */
    private final LinkedHashMap<String, WeakReference<DocumentState>> returned = new LinkedHashMap<>(16, 0.75f, true);
    private static final WeakReference<DocumentState> NOT_RETURNED = new WeakReference<>(null);

    private ResidentRunner(SegmentModel model, Session session, ResidentStates states, ModelPlan plan, String memory,
                           String frames, List<String> readouts, String meansOf) {
        this.model = model;
        this.session = session;
        this.states = states;
        this.plan = plan;
        this.meansOf = meansOf;
        this.readouts = readouts;
        this.stateBytes = plan.state().stream().mapToLong(s -> s.elements() * Float.BYTES).sum();
        this.describe = "states resident in " + memory + " between segments (FFM, IO binding; " + states.capacity()
                + " documents, " + states.slabBytes() / (1024 * 1024) + " MiB), " + readouts + " copied out"
                + (meansOf == null ? "" : ", the sentence means of " + meansOf + " computed there") + frames;
    }

    static ResidentRunner open(SegmentModel model, Settings settings) {
        ModelPlan plan = ModelPlan.read(model.folder().resolve("baton-model.json"));
        boolean cuda = settings.provider().equals("cuda");
        Path file = model.folder().resolve("model.onnx");
        boolean graphs = cuda && settings.cudaGraphTokens() > 0;
        int frameTokens = settings.cudaGraphTokens();
        String frames = frameTokens == 0 ? "" : "; batches of up to " + frameTokens + " tokens in fixed-shape frames"
                + (graphs ? ", replayed as CUDA graphs" : " (no CUDA: not captured)");
        Session session;
        try {
            session = Session.open(file, sessionConfig(settings, cuda, graphs));
        } catch (OrtException e) {
            if (!graphs) {
                throw e;
            }
            // ONNX Runtime refuses CUDA graphs for a graph it cannot capture (a Memcpy node between the providers,
            // control flow): this model runs uncaptured, without frames (their padding would gain nothing), and
            // the service's start-up log says why.
            session = Session.open(file, sessionConfig(settings, true, false));
            frameTokens = 0;
            frames = "; no CUDA graphs: ONNX Runtime refused them (" + e.getMessage() + ")";
        }
        List<String> read = new ArrayList<>(plan.serviceReadouts());
        String meansOf = settings.sentenceMeansInRuntime() && read.remove(HIDDEN) ? HIDDEN : null;
        List<String> readouts = List.copyOf(read);
        ResidentStates states = null;
        try {
            states = ResidentStates.open(session, plan, settings.capacity(), frameTokens);
            if (frameTokens > 0 && settings.maxBatch() > 0) {
                frames += "; frames of " + new TreeSet<>(states.prepareFrames(settings.maxBatch(), readouts, meansOf))
                        + " rows made" + (graphs ? " and captured" : "") + " at start-up";
            }
            return new ResidentRunner(model, session, states, plan,
                    cuda ? "CUDA memory (device " + settings.deviceId() + ")" : "ONNX Runtime's host memory", frames,
                    readouts, meansOf);
        } catch (RuntimeException e) {
            if (states != null) {
                states.close();
            }
            session.close();
            throw e;
        }
    }

    /**
     * The service's thread settings: on CUDA, too, ONNX Runtime keeps an intra-op pool for the nodes it runs on the
     * CPU, and its threads spinning by default would take the cores the service's other work needs.
     */
    private static SessionConfig sessionConfig(Settings settings, boolean cuda, boolean graphs) {
        return new SessionConfig(settings.intraOpThreads(), cuda ? settings.deviceId() : -1, settings.allowSpinning(),
                graphs);
    }

    @Override
    public synchronized List<SegmentOutput> run(List<String> documents, List<SegmentInput> segments) {
        int batch = documents.size();
        if (batch != segments.size() || batch == 0) {
            throw new IllegalArgumentException("a batch of " + documents.size() + " documents and " + segments.size()
                    + " segments");
        }
        if (batch > states.capacity()) {
            throw new IllegalArgumentException("a batch of " + batch + " documents, more than the " + states.capacity()
                    + " that can be resident (baton.onnx.resident-capacity)");
        }
        for (SegmentInput segment : segments) {
            model.validate(segment.tokens());
            if (segment.next() >= 0) {
                model.validate(new long[] {segment.next()});
            }
        }
        Set<String> inBatch = new HashSet<>(documents);
        try {
            long[] loaded = new long[batch];
            List<ResidentStates.Segment> run = new ArrayList<>(batch);
            for (int b = 0; b < batch; b++) {
                String document = documents.get(b);
                SegmentInput segment = segments.get(b);
                WeakReference<DocumentState> last = returned.get(document);
                if (!states.isResident(document) || last == null || last.get() != segment.state()) {
                    makeRoom(document, inBatch);
                    states.load(document, host(segment.state()));
                    returned.put(document, NOT_RETURNED);
                    loaded[b] = stateBytes;
                }
                run.add(new ResidentStates.Segment(document, segment.tokens(), segment.next(),
                        meansOf == null ? new int[0][] : segment.sentences().toArray(new int[0][])));
            }
            ResidentStates.Readouts out = states.run(run, readouts, meansOf);
            List<ResidentStates.HostState> exported = states.export(documents);
            List<SegmentOutput> outputs = new ArrayList<>(batch);
            for (int b = 0; b < batch; b++) {
                String document = documents.get(b);
                DocumentState next = state(exported.get(b));
                returned.put(document, new WeakReference<>(next));
                int length = segments.get(b).tokens().length;
                outputs.add(new SegmentOutput(
                        readout(out, "logits", b, length), readout(out, "token_nll", b, length),
                        readout(out, HIDDEN, b, length), next, new SegmentOutput.StateBytes(loaded[b], stateBytes),
                        out.means() == null ? null : vectors(out.means()[b], segments.get(b).sentences().size())));
            }
            return outputs;
        } catch (RuntimeException | Error e) {
            for (String document : documents) {
                states.evict(document);
                returned.remove(document);
            }
            throw e;
        }
    }

    /** Frees the slot of the least recently run resident document outside the batch, if every slot is taken. */
    private void makeRoom(String document, Set<String> inBatch) {
        if (states.isResident(document) || returned.size() < states.capacity()) {
            return;
        }
        for (Iterator<Map.Entry<String, WeakReference<DocumentState>>> it = returned.entrySet().iterator(); it.hasNext(); ) {
            String eldest = it.next().getKey();
            if (!inBatch.contains(eldest)) {
                it.remove();
                states.evict(eldest);
                return;
            }
        }
        throw new IllegalStateException("every slot holds a document of this batch");
    }

    /** {@code state}'s tensors in plan order, each one document's ([1, ...shape]). */
    private ResidentStates.HostState host(DocumentState state) {
        List<float[]> tensors = new ArrayList<>(plan.state().size());
        for (ModelPlan.StateSpec spec : plan.state()) {
            FloatTensor tensor = state.tensors().get(spec.input());
            if (tensor == null || !Arrays.equals(tensor.shape(), spec.batched(1))) {
                throw new IllegalArgumentException("state " + spec.input() + " of model " + model.id() + " is "
                        + (tensor == null ? "missing" : Arrays.toString(tensor.shape())) + ", the plan "
                        + Arrays.toString(spec.batched(1)));
            }
            tensors.add(tensor.values());
        }
        return new ResidentStates.HostState(state.tokens(), tensors);
    }

    private DocumentState state(ResidentStates.HostState host) {
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        for (int i = 0; i < plan.state().size(); i++) {
            ModelPlan.StateSpec spec = plan.state().get(i);
            tensors.put(spec.input(), new FloatTensor(spec.batched(1), host.tensors().get(i)));
        }
        return new DocumentState(host.position(), tensors);
    }

    /**
     * Row {@code b} of readout {@code name} as [1, length, ...], its first {@code length} positions (the array
     * {@link ResidentStates} copied it into, not copied again), or null when the run did not read it.
     */
    private static FloatTensor readout(ResidentStates.Readouts out, String name, int b, int length) {
        if (!out.rows().containsKey(name)) {
            return null;
        }
        long[] shape = out.shapes().get(name).clone();
        shape[0] = 1;
        shape[1] = length;
        return new FloatTensor(shape, out.row(name, b));
    }

    /** Row means of {@code count} spans, span after span, as one vector each. */
    private static float[][] vectors(float[] means, int count) {
        float[][] vectors = new float[count][];
        int width = count == 0 ? 0 : means.length / count;
        for (int s = 0; s < count; s++) {
            vectors[s] = Arrays.copyOfRange(means, s * width, (s + 1) * width);
        }
        return vectors;
    }

    /**
     * Ragged batches where the model's plan says so: {@link ResidentStates} pads each row's inputs as the heap
     * run does and keeps each row's window up to its last real token in its strided copies (split where the
     * rows' lengths change), so the batcher may give a ragged model's resident runner segments of any length.
     */
    @Override
    public boolean takesRaggedBatches() {
        return plan.ragged();
    }

    @Override
    public String describe() {
        return describe;
    }

    @Override
    public synchronized void close() {
        returned.clear();
        states.close();
        session.close();
    }
}
