package io.baton.onnx.ffm.bench;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import io.baton.onnx.ffm.ModelPlan;
import io.baton.onnx.ffm.OrtRuntime;
import io.baton.onnx.ffm.ResidentStates;
import io.baton.onnx.ffm.Session;
import io.baton.onnx.ffm.SessionConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Per-batch time of one model, two ways, same documents and token ids: ONNX Runtime Java's
 * {@code OrtSession.run} with the states carried through the Java heap ({@link HostStates}, the service's way
 * today) and IO binding with the states resident in the runtime's memory ({@link ResidentStates}). B documents,
 * each carried segment by segment; document b starts at byte {@code 100,000 + 20,011 b} of the text (as the
 * inference service's {@code BatchThroughput} and {@code bench/gpu_torch_eager.py}). Both read only
 * {@link ModelPlan#serviceReadouts()} back (for the zoo and bench models: {@code last_hidden_state}). A third row
 * adds to each resident batch what the service's runner does after it: the batch's states exported to the heap for
 * their checkpoints ({@link ResidentStates#export(List)}), so the two rows' difference is that copy's cost.
 * A fourth row is the third with {@code last_hidden_state} not copied out but pooled where it lies, as the
 * service's sentence vectors are on CUDA ({@link ResidentStates#run(List, List, String)}, one sentence over each
 * segment, as bench {@code Concurrency} asks): the third row's difference from it is what the hidden states'
 * crossing cost.
 *
 * <p>Arguments: {@code modelDir textFile provider length batches seconds [threads]}; provider {@code cpu} or
 * {@code cuda} (device 0, {@code use_tf32=0}, {@code cudnn_conv_algo_search=HEURISTIC} on both sides). Each cell:
 * 3 warm-up batches, then batches for {@code seconds}, median of 3 rounds. Before timing, one batch runs both
 * ways from the same states and the largest difference of the readouts is printed.
 *
 * <p>With {@code -Dbaton.bench.reference=DIR} (a model folder with the same state plan, e.g. the float32 export of
 * the recipe whose float16 export is measured, or the measured model itself), before timing each batch size, the
 * measured model on the measured provider and the reference on the CPU provider run the same documents' first two
 * segments with host states, and the largest absolute and relative differences of {@code token_nll},
 * {@code last_hidden_state} and the final states are printed ({@link ReferenceCheck}). The model's precision is
 * its ONNX metadata's {@code baton.precision} (docs/model-contract.md, "Precision"; absent: fp32).
 *
 * <p>With {@code -Dbaton.bench.graph-tokens=F} (F >= the segment length) a third path runs the resident states in
 * fixed-shape frames of F tokens ({@link ResidentStates}), on CUDA on a second session with CUDA graphs, so each
 * frame's run is captured once and replayed; before timing, the largest difference of its readouts from the
 * plain resident path's is printed: for each batch size over full and ragged segments, and once over batches whose
 * sizes alternate (frames made after other frames' captures and replayed between them, as in the service).
 * The frames' row is repeated with the sentence means in the runtime, as above.
 *
 * <p>Run with {@code java --enable-native-access=ALL-UNNAMED -cp onnxruntime-ffm.jar:lib/*}; on the GPU
 * machine with the staged ONNX Runtime 1.22 GPU jar in place of the CPU one (docs/performance.md).
 */
public final class ResidentStatesBench {

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        byte[] text = Files.readAllBytes(Path.of(args[1]));
        boolean cuda = switch (args[2]) {
            case "cpu" -> false;
            case "cuda" -> true;
            default -> throw new IllegalArgumentException("provider is cpu or cuda, was " + args[2]);
        };
        int length = Integer.parseInt(args[3]);
        int[] batches = Arrays.stream(args[4].split(",")).mapToInt(Integer::parseInt).toArray();
        double seconds = Double.parseDouble(args[5]);
        int threads = args.length > 6 ? Integer.parseInt(args[6]) : 0;

        OrtRuntime runtime = OrtRuntime.get();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        ModelPlan plan = ModelPlan.read(dir.resolve("baton-model.json"));
        Path model = dir.resolve("model.onnx");
        List<String> readouts = plan.serviceReadouts();
        String referenceDir = System.getProperty("baton.bench.reference");
        int graphTokens = Integer.getInteger("baton.bench.graph-tokens", 0);
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession.SessionOptions referenceOptions = new OrtSession.SessionOptions();
             OrtCUDAProviderOptions cudaOptions = cuda ? new OrtCUDAProviderOptions(0) : null) {
            options.setIntraOpNumThreads(threads);
            if (cudaOptions != null) {
                cudaOptions.add("use_tf32", "0");
                cudaOptions.add("cudnn_conv_algo_search", "HEURISTIC");
                options.addCUDA(cudaOptions);
            }
            referenceOptions.setIntraOpNumThreads(threads);
            try (OrtSession javaSession = env.createSession(model.toString(), options);
                 OrtSession referenceSession = referenceDir == null ? null
                         : env.createSession(Path.of(referenceDir).resolve("model.onnx").toString(), referenceOptions);
                 Session session = Session.open(model, cuda ? SessionConfig.cuda(0) : SessionConfig.cpu(threads));
                 Session graphSession = graphTokens == 0 ? null : graphSession(model, cuda, threads)) {
                String precision = precision(javaSession);
                System.out.printf(Locale.ROOT, "ONNX Runtime %s, %s, %s, segments of %d, readouts %s%n", runtime.version(),
                        dir.getFileName(), cuda ? "CUDA " + precision : "CPU " + precision + " " + threads + " threads",
                        length, readouts);
                ModelPlan referencePlan = null;
                if (referenceSession != null) {
                    referencePlan = ModelPlan.read(Path.of(referenceDir).resolve("baton-model.json"));
                    System.out.printf(Locale.ROOT, "reference: %s, CPU %s, ORT Java, host states%n", referenceDir,
                            precision(referenceSession));
                }
                if (graphSession != null) {
                    mixedFramesAgreement(session, graphSession, plan, text, length,
                            Arrays.stream(batches).max().orElseThrow(), readouts, graphTokens);
                }
                System.out.println("| path | batch | ms per batch | tokens/s | host bytes per batch (in + out) |");
                System.out.println("|---|---:|---:|---:|---:|");
                for (int batch : batches) {
                    if (referenceSession != null) {
                        ReferenceCheck.Result diff = ReferenceCheck.compare(env, javaSession, plan, referenceSession,
                                referencePlan, text, length, batch);
                        System.out.printf(Locale.ROOT, "batch %d: 2 segments, largest |%s %s - reference CPU| : %s%n",
                                batch, cuda ? "CUDA" : "CPU", precision, diff);
                    }
                    long readoutBytes = agreement(env, javaSession, session, plan, text, length, batch, readouts);
                    if (graphSession != null) {
                        framesAgreement(session, graphSession, plan, text, length, batch, readouts, graphTokens);
                    }
                    double[] hostMs = new double[3];
                    double[] residentMs = new double[3];
                    double[] graphMs = new double[3];
                    double[] exportMs = new double[3];
                    double[] meansMs = new double[3];
                    double[] graphMeansMs = new double[3];
                    String hidden = readouts.contains(HIDDEN) ? HIDDEN : null;
                    List<String> besideMeans = readouts.stream().filter(r -> !r.equals(HIDDEN)).toList();
                    List<String> documents = IntStream.range(0, batch)
                            .mapToObj(ResidentStatesBench::document).toList();
                    for (int r = 0; r < 3; r++) {
                        HostStates host = new HostStates(env, javaSession, plan);
                        hostMs[r] = time(batch, seconds, step -> host.run(segments(text, length, batch, step), readouts),
                                b -> host.admit(document(b)));
                        try (ResidentStates resident = ResidentStates.open(session, plan)) {
                            residentMs[r] = time(batch, seconds,
                                    step -> resident.run(segments(text, length, batch, step), readouts),
                                    b -> resident.admit(document(b)));
                        }
                        try (ResidentStates resident = ResidentStates.open(session, plan)) {
                            exportMs[r] = time(batch, seconds, step -> {
                                resident.run(segments(text, length, batch, step), readouts);
                                resident.export(documents);
                            }, b -> resident.admit(document(b)));
                        }
                        if (hidden != null) {
                            try (ResidentStates resident = ResidentStates.open(session, plan)) {
                                meansMs[r] = time(batch, seconds, step -> {
                                    resident.run(sentences(segments(text, length, batch, step)), besideMeans, hidden);
                                    resident.export(documents);
                                }, b -> resident.admit(document(b)));
                            }
                        }
                        if (graphSession != null) {
                            try (ResidentStates framed = ResidentStates.open(graphSession, plan,
                                    ResidentStates.DEFAULT_CAPACITY, graphTokens)) {
                                graphMs[r] = time(batch, seconds,
                                        step -> framed.run(segments(text, length, batch, step), readouts),
                                        b -> framed.admit(document(b)));
                            }
                            if (hidden != null) {
                                try (ResidentStates framed = ResidentStates.open(graphSession, plan,
                                        ResidentStates.DEFAULT_CAPACITY, graphTokens)) {
                                    graphMeansMs[r] = time(batch, seconds,
                                            step -> framed.run(sentences(segments(text, length, batch, step)),
                                                    besideMeans, hidden),
                                            b -> framed.admit(document(b)));
                                }
                            }
                        }
                    }
                    long stateBytes = plan.state().stream().mapToLong(s -> s.elements() * 4).sum() * batch;
                    long presentBytes = plan.state().stream().mapToLong(s -> s.isWindow()
                            ? s.elements() / (s.pinned() + s.window()) * (s.pinned() + s.window() + length) * 4
                            : s.elements() * 4).sum() * batch;
                    long inputBytes = (long) batch * (2L * length + plan.maskPast() + length) * 8;
                    row("ORT Java run, states on the Java heap", batch, length, hostMs,
                            inputBytes + stateBytes + presentBytes + readoutBytes);
                    row("FFM IO binding, states resident", batch, length, residentMs, inputBytes + readoutBytes);
                    row("FFM, states resident, each batch's states exported (the service's checkpoint copy)", batch,
                            length, exportMs, inputBytes + readoutBytes + stateBytes);
                    long meansBytes = readoutBytes / length;   // one span a row: a position's worth of each readout
                    if (hidden != null) {
                        row("FFM, states resident and exported, " + HIDDEN + " as sentence means in the runtime (one "
                                + "sentence a segment)", batch, length, meansMs, inputBytes + meansBytes + stateBytes);
                    }
                    if (graphSession != null) {
                        row("FFM, states resident, frames of " + graphTokens + (cuda ? ", CUDA graphs" : ""), batch,
                                length, graphMs, inputBytes + readoutBytes);
                        if (hidden != null) {
                            row("FFM, states resident, frames of " + graphTokens + (cuda ? ", CUDA graphs" : "")
                                    + ", sentence means in the runtime", batch, length, graphMeansMs,
                                    inputBytes + meansBytes);
                        }
                    }
                }
            }
        }
    }

    /**
     * Runs two batches both ways from fresh states, prints the largest difference of the readouts and returns
     * the readouts' bytes per batch.
     */
    private static long agreement(OrtEnvironment env, OrtSession javaSession, Session session, ModelPlan plan,
                                  byte[] text, int length, int batch, List<String> readouts) throws Exception {
        HostStates host = new HostStates(env, javaSession, plan);
        try (ResidentStates resident = ResidentStates.open(session, plan)) {
            double max = 0;
            long bytes = 0;
            for (int b = 0; b < batch; b++) {
                host.admit(document(b));
                resident.admit(document(b));
            }
            for (int step = 0; step < 2; step++) {
                ResidentStates.Readouts a = host.run(segments(text, length, batch, step), readouts);
                ResidentStates.Readouts c = resident.run(segments(text, length, batch, step), readouts);
                bytes = 0;
                for (String name : readouts) {
                    float[] x = a.get(name);
                    bytes += 4L * x.length;
                    max = Math.max(max, largestDifference(x, c.get(name)));
                }
            }
            System.out.printf(Locale.ROOT, "batch %d: readouts of 2 segments, largest |ORT Java - FFM| = %.3g%n", batch, max);
            return bytes;
        }
    }

    /**
     * The session of the frames' path: on CUDA with CUDA graphs; null, with ONNX Runtime's reason printed, when the
     * model cannot be captured (e.g. Memcpy nodes between the providers: the session is refused).
     */
    private static Session graphSession(Path model, boolean cuda, int threads) {
        try {
            return Session.open(model, cuda ? new SessionConfig(threads, 0, true, true) : SessionConfig.cpu(threads));
        } catch (io.baton.onnx.ffm.OrtException e) {
            System.out.println("CUDA graphs refused: " + e.getMessage());
            return null;
        }
    }

    /** Two batches resident, plain and in frames (CUDA graphs on CUDA), from fresh states: the largest readout difference. */
    private static void framesAgreement(Session session, Session graphSession, ModelPlan plan, byte[] text, int length,
                                        int batch, List<String> readouts, int graphTokens) {
        try (ResidentStates plain = ResidentStates.open(session, plan);
             ResidentStates framed = ResidentStates.open(graphSession, plan, ResidentStates.DEFAULT_CAPACITY, graphTokens)) {
            double max = 0;
            for (int b = 0; b < batch; b++) {
                plain.admit(document(b));
                framed.admit(document(b));
            }
            double states = 0;
            for (int step = 0; step < 4; step++) {
                List<ResidentStates.Segment> segments = segments(text, length, batch, step);
                if (step == 3) {
                    // ragged: row b keeps length - (37 b mod length/2) tokens (a replay with other masks than captured)
                    segments = new ArrayList<>(segments);
                    for (int b = 0; b < batch; b++) {
                        ResidentStates.Segment full = segments.get(b);
                        int keep = length - (37 * b) % Math.max(1, length / 2);
                        segments.set(b, new ResidentStates.Segment(full.document(),
                                Arrays.copyOf(full.tokens(), keep), full.tokens()[keep % length]));
                    }
                }
                ResidentStates.Readouts a = plain.run(segments, readouts);
                ResidentStates.Readouts c = framed.run(segments, readouts);
                max = Math.max(max, largestDifference(a, c, readouts, batch));
            }
            for (int b = 0; b < batch; b++) {
                states = Math.max(states, largestDifference(plain.export(document(b)), framed.export(document(b))));
            }
            System.out.printf(Locale.ROOT, "batch %d: 3 full segments and a ragged one, largest |resident - frames%s|:"
                    + " readouts %.3g, states after them %.3g%n", batch,
                    graphSession.cudaGraphs() ? " (CUDA graphs)" : "", max, states);
        }
    }

    /**
     * Batches of alternating sizes up to {@code largest}, resident, plain and in frames, from fresh states: each
     * batch takes documents from a rotating start, so frames of several sizes are made after others were captured
     * and replayed between them (the service's pattern as its batches form); the largest readout and state
     * differences.
     */
    private static void mixedFramesAgreement(Session session, Session graphSession, ModelPlan plan, byte[] text,
                                             int length, int largest, List<String> readouts, int graphTokens) {
        int[] sizes = IntStream.of(1, 2, largest, 3, largest / 2 + 1, 1, largest - 3, 2, largest, 5, 1,
                largest / 2 + 1, largest).map(size -> Math.max(1, Math.min(largest, size))).toArray();
        try (ResidentStates plain = ResidentStates.open(session, plan);
             ResidentStates framed = ResidentStates.open(graphSession, plan, ResidentStates.DEFAULT_CAPACITY, graphTokens)) {
            for (int b = 0; b < largest; b++) {
                plain.admit(document(b));
                framed.admit(document(b));
            }
            int[] steps = new int[largest];
            double max = 0;
            for (int i = 0; i < sizes.length; i++) {
                int size = sizes[i];
                List<ResidentStates.Segment> segments = new ArrayList<>(size);
                for (int j = 0; j < size; j++) {
                    int b = (7 * i + j) % largest;
                    segments.add(segment(text, length, b, steps[b]++));
                }
                ResidentStates.Readouts a = plain.run(segments, readouts);
                ResidentStates.Readouts c = framed.run(segments, readouts);
                max = Math.max(max, largestDifference(a, c, readouts, size));
            }
            double states = 0;
            for (int b = 0; b < largest; b++) {
                states = Math.max(states, largestDifference(plain.export(document(b)), framed.export(document(b))));
            }
            System.out.printf(Locale.ROOT, "%d batches of sizes %s, largest |resident - frames%s|: readouts %.3g,"
                    + " states after them %.3g; frames made: %s%n", sizes.length, Arrays.toString(sizes),
                    graphSession.cudaGraphs() ? " (CUDA graphs)" : "", max, states, framed.frameSizes());
        }
    }

    /** The largest difference of two runs' readouts over the batch's rows. */
    private static double largestDifference(ResidentStates.Readouts a, ResidentStates.Readouts c, List<String> readouts,
                                            int batch) {
        double max = 0;
        for (String name : readouts) {
            for (int b = 0; b < batch; b++) {
                max = Math.max(max, largestDifference(a.row(name, b), c.row(name, b)));
            }
        }
        return max;
    }

    /** The largest difference of two states' tensors. */
    private static double largestDifference(ResidentStates.HostState x, ResidentStates.HostState y) {
        double max = 0;
        for (int i = 0; i < x.tensors().size(); i++) {
            max = Math.max(max, largestDifference(x.tensors().get(i), y.tensors().get(i)));
        }
        return max;
    }

    /** The largest |a[i] - b[i]|. */
    private static double largestDifference(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }

    private interface Step {
        void run(int step) throws Exception;
    }

    private interface Admit {
        void admit(int b) throws Exception;
    }

    /** Milliseconds per batch: 3 warm-up batches, then batches for {@code seconds}. */
    private static double time(int batch, double seconds, Step step, Admit admit) throws Exception {
        for (int b = 0; b < batch; b++) {
            admit.admit(b);
        }
        int s = 0;
        for (int i = 0; i < 3; i++) {
            step.run(s++);
        }
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        int runs = 0;
        do {
            step.run(s++);
            runs++;
        } while (System.nanoTime() < deadline);
        return (System.nanoTime() - start) / 1e6 / runs;
    }

    private static void row(String path, int batch, int length, double[] millis, long hostBytes) {
        double ms = median(millis);
        System.out.printf(Locale.ROOT, "| %s | %d | %.2f | %,.0f | %,d |%n", path, batch, ms, batch * length / (ms / 1e3),
                hostBytes);
    }

    /** The segments, each with one sentence over all of it (what bench Concurrency asks the service for). */
    static List<ResidentStates.Segment> sentences(List<ResidentStates.Segment> segments) {
        return segments.stream().map(s -> new ResidentStates.Segment(s.document(), s.tokens(), s.next(),
                new int[][] {{0, s.tokens().length}})).toList();
    }

    static List<ResidentStates.Segment> segments(byte[] text, int length, int batch, int step) {
        List<ResidentStates.Segment> segments = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            segments.add(segment(text, length, b, step));
        }
        return segments;
    }

    /** Document b's segment number {@code step}: {@code length} bytes of the text as tokens, from its own offset. */
    static ResidentStates.Segment segment(byte[] text, int length, int b, int step) {
        long[] ids = new long[length];
        int offset = 100_000 + 20_011 * b + step * length;
        for (int i = 0; i < length; i++) {
            ids[i] = text[(offset + i) % text.length] & 0xFF;
        }
        long next = text[(offset + length) % text.length] & 0xFF;
        return new ResidentStates.Segment(document(b), ids, next);
    }

    /** The model's {@code baton.precision} metadata (docs/model-contract.md, "Precision"); fp32 when absent. */
    static String precision(OrtSession session) throws ai.onnxruntime.OrtException {
        return session.getMetadata().getCustomMetadata().getOrDefault("baton.precision", "fp32");
    }

    private static final String HIDDEN = "last_hidden_state";

    static String document(int b) {
        return "doc-" + b;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private ResidentStatesBench() {
    }
}
