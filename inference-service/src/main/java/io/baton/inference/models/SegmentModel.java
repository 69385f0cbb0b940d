package io.baton.inference.models;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.baton.inference.runtime.OnnxEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;

/**
 * One model folder loaded into an ONNX Runtime session, run one segment at a time.
 *
 * <p>{@link #run} builds {@code input_ids}, {@code attention_mask} (ones over [past ; segment],
 * zeros over a shorter row's padding in a ragged batch) and {@code position_ids} (absolute, from
 * the tokens the document has consumed),
 * feeds every state tensor as its {@code past*} input, and {@code target_ids} (each position's
 * next token) to a model that scores tokens itself, and returns the outputs with the next state:
 * each {@code present*} output after its retention policy. ONNX Runtime copies out only the
 * outputs the caller reads ({@link Fetch}). Thread-safe: ONNX Runtime sessions accept concurrent
 * runs.
 */
public final class SegmentModel implements AutoCloseable {

    /** The graph input of each position's next token, and the output of its negative log-likelihood. */
    static final String TARGET_IDS = "target_ids";
    static final String TOKEN_NLL = "token_nll";

    /**
     * What a run copies out of ONNX Runtime besides the state and {@code last_hidden_state}.
     */
    public enum Fetch {
        /** {@code logits} [batch, T, vocab]: generation, and whatever reads whole distributions. */
        LOGITS,
        /**
         * {@code token_nll} [batch, T] (for segments, which read only each token's NLL), or {@code
         * logits} for a model whose graph does not compute it (exports made before it existed).
         */
        TOKEN_NLL
    }

    private final String id;
    private final Path folder;
    private final String digest;
    private final StatePlan plan;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final boolean hiddenState;
    private final boolean tokenNll;
    /**
     * Runs hold it shared, {@link #close()} exclusively: closing the native session while a run is inside it is a
     * use-after-free (a SIGTERM during a batch job once crashed the JVM in libonnxruntime that way), so close waits
     * for the runs in flight, and a run after it is refused.
     */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    private SegmentModel(String id, Path folder, String digest, StatePlan plan, OrtEnvironment env, OrtSession session,
                         boolean hiddenState, boolean tokenNll) {
        this.id = id;
        this.folder = folder;
        this.digest = digest;
        this.plan = plan;
        this.env = env;
        this.session = session;
        this.hiddenState = hiddenState;
        this.tokenNll = tokenNll;
    }

    /**
     * Loads {@code folder/model.onnx} with its state plan (see {@link #load(Path,
     * OrtSession.SessionOptions, int)}); a global attention layer of a hub export keeps
     * {@value HubExportPlan#DEFAULT_MAX_PAST} past tokens.
     */
    public static SegmentModel load(Path folder, OrtSession.SessionOptions options) {
        return load(folder, options, HubExportPlan.DEFAULT_MAX_PAST);
    }

    /**
     * Loads {@code folder/model.onnx} and its state plan: {@code folder/baton-model.json}, or,
     * for an export from the Hugging Face hub without one, the plan {@link HubExportPlan} derives
     * from the graph and {@code config.json}, global attention layers keeping {@code maxPast}
     * past tokens. Refuses a model whose graph takes a {@code past*} input without returning the
     * matching {@code present*}, or one of {@code target_ids} and {@code token_nll} without the
     * other.
     */
    public static SegmentModel load(Path folder, OrtSession.SessionOptions options, int maxPast) {
        String id = folder.getFileName().toString();
        Path onnx = folder.resolve("model.onnx");
        OrtEnvironment env = OnnxEnvironment.get();
        OrtSession session;
        try {
            session = env.createSession(onnx.toString(), options);
        } catch (OrtException e) {
            throw new ModelContractException("model " + id + ": ONNX Runtime cannot load " + onnx + ": "
                    + e.getMessage(), e);
        }
        try {
            Set<String> inputs = session.getInputNames();
            Set<String> outputs = session.getOutputNames();
            StatePlan.requirePresentForEveryPast(id, inputs, outputs);
            if (inputs.contains(TARGET_IDS) != outputs.contains(TOKEN_NLL)) {
                throw new ModelContractException("model " + id + ": the graph has " + (inputs.contains(TARGET_IDS)
                        ? "input '" + TARGET_IDS + "' but no output '" + TOKEN_NLL + "'"
                        : "output '" + TOKEN_NLL + "' but no input '" + TARGET_IDS + "'")
                        + "; a model scores tokens with both or neither");
            }
            Path planFile = folder.resolve("baton-model.json");
            StatePlan plan = Files.isRegularFile(planFile)
                    ? StatePlan.read(planFile)
                    : HubExportPlan.derive(id, folder, session.getInputInfo(), outputs, maxPast);
            plan.requireMatches(id, inputs, outputs);
            return new SegmentModel(id, folder, digest(onnx), plan, env, session, outputs.contains("last_hidden_state"),
                    outputs.contains(TOKEN_NLL));
        } catch (RuntimeException | IOException | OrtException e) {
            closeQuietly(session, e);
            throw e instanceof ModelContractException m ? m
                    : new ModelContractException("model " + id + ": " + e.getMessage(), e);
        }
    }

    public String id() {
        return id;
    }

    /** The folder it was loaded from ({@code model.onnx}, its plan). */
    public Path folder() {
        return folder;
    }

    /** SHA-256 of {@code model.onnx}, hex: the model's fingerprint. */
    public String digest() {
        return digest;
    }

    public StatePlan plan() {
        return plan;
    }

    /** Whether the graph returns {@code last_hidden_state} (models built here do, hub exports do not). */
    public boolean hasHiddenState() {
        return hiddenState;
    }

    /**
     * Whether the graph computes each token's negative log-likelihood itself ({@code target_ids}
     * in, {@code token_nll} out; exports made before it existed do not).
     */
    public boolean hasTokenNll() {
        return tokenNll;
    }

    /** The documented initial state of {@code batch} documents: nothing consumed, zeros. */
    public DocumentState initialState(int batch) {
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        for (StateTensorSpec s : plan.state()) {
            tensors.put(s.input(), s.initial(batch));
        }
        return new DocumentState(0, tensors);
    }

    /** Runs one segment of one document, fetching its logits. */
    public SegmentOutput run(long[] tokens, DocumentState state) {
        return run(List.of(new SegmentInput(tokens, state))).get(0);
    }

    /** Runs one segment of each of several documents as one batch, fetching logits (see {@link #run(List, Fetch)}). */
    public List<SegmentOutput> run(List<SegmentInput> segments) {
        return run(segments, Fetch.LOGITS);
    }

    /**
     * Runs one segment of each of several documents as one batch; the documents may be at different
     * positions. Each output belongs to the input at the same index and carries that document's next
     * state (batch axis 1). ONNX Runtime copies out the state, {@code last_hidden_state} and what
     * {@code fetch} names, nothing else.
     *
     * <p>The segments must have equal lengths, unless the model takes ragged batches ({@link
     * StatePlan#ragged()}): then row b holds its L_b real tokens and is padded on the right up to
     * T, the longest segment; at its padded positions {@code input_ids} are 0, {@code position_ids}
     * go on counting (t0 + L_b, t0 + L_b + 1, ...), {@code target_ids} are -1, and the last T
     * columns of {@code attention_mask} are 0. Its outputs are cut to its first L_b positions, its
     * windows keep the slots that end at its last real token ({@link Retention#apply(FloatTensor,
     * int)}), and its document has consumed L_b more tokens. A batch of one length is fed exactly
     * as for a model without ragged batches.
     *
     * @throws InvalidSegmentException for an empty segment, a token outside the vocabulary, or
     *                                 segments of different lengths for a model that does not take
     *                                 ragged batches
     */
    public List<SegmentOutput> run(List<SegmentInput> segments, Fetch fetch) {
        int batch = segments.size();
        Feed feed = feed(segments);
        int length = feed.length();
        int[] lengths = feed.lengths();
        int[] padding = feed.padding();
        boolean graphNll = fetch == Fetch.TOKEN_NLL && tokenNll;
        String scores = graphNll ? TOKEN_NLL : "logits";
        Set<String> wanted = new HashSet<>();
        wanted.add(scores);
        if (hiddenState) {
            wanted.add("last_hidden_state");
        }
        plan.state().forEach(s -> wanted.add(s.output()));
        Pasts pasts = Pasts.of(plan, segments);

        Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
        try {
            inputs.put("input_ids", longTensor(feed.ids(), batch, length));
            if (plan.inputs().contains("attention_mask")) {
                inputs.put("attention_mask", longTensor(pasts.mask(lengths, length), batch, pasts.maskPast() + length));
            }
            if (plan.inputs().contains("position_ids")) {
                inputs.put("position_ids", longTensor(feed.positions(), batch, length));
            }
            if (feed.targets() != null) {
                inputs.put(TARGET_IDS, longTensor(feed.targets(), batch, length));
            }
            long bytesIn = 0;
            for (StateTensorSpec s : plan.state()) {
                FloatTensor past = pasts.batched(s);
                inputs.put(s.input(), OnnxTensor.createTensor(env, FloatBuffer.wrap(past.values()), past.shape()));
                bytesIn += (long) Float.BYTES * past.values().length;
            }
            lifecycle.readLock().lock();
            try (OrtSession.Result result = openSession().run(inputs, wanted)) {
                List<FloatTensor> scored = rows(floats(result, scores), lengths);
                List<FloatTensor> hidden = hiddenState ? rows(floats(result, "last_hidden_state"), lengths) : null;
                List<Map<String, FloatTensor>> next = new ArrayList<>();
                segments.forEach(x -> next.add(new LinkedHashMap<>()));
                long bytesOut = 0;
                for (StateTensorSpec s : plan.state()) {
                    FloatTensor present = floats(result, s.output());
                    bytesOut += (long) Float.BYTES * present.values().length;
                    List<FloatTensor> kept = pasts.retain(s, present, padding);
                    for (int b = 0; b < batch; b++) {
                        next.get(b).put(s.input(), kept.get(b));
                    }
                }
                SegmentOutput.StateBytes moved = new SegmentOutput.StateBytes(bytesIn / batch, bytesOut / batch);
                List<SegmentOutput> outputs = new ArrayList<>(batch);
                for (int b = 0; b < batch; b++) {
                    DocumentState state = new DocumentState(segments.get(b).state().tokens() + lengths[b], next.get(b));
                    outputs.add(new SegmentOutput(graphNll ? null : scored.get(b), graphNll ? scored.get(b) : null,
                            hidden == null ? null : hidden.get(b), state, moved));
                }
                return outputs;
            } finally {
                lifecycle.readLock().unlock();
            }
        } catch (OrtException e) {
            throw new ModelContractException("model " + id + ": run failed: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    /**
     * The token inputs of one batch, row-major [batch, T]: {@code input_ids}, {@code position_ids}
     * and {@code target_ids} (null for a graph without it), T the longest segment, row b's real
     * tokens its first {@code lengths[b]}.
     */
    record Feed(int[] lengths, int length, long[] ids, long[] positions, long[] targets) {

        /** How many of each row's T positions are padding. */
        int[] padding() {
            int[] padding = new int[lengths.length];
            for (int b = 0; b < lengths.length; b++) {
                padding[b] = length - lengths[b];
            }
            return padding;
        }
    }

    /**
     * Checks the segments and lays out their token inputs; a shorter row of a ragged batch gets
     * {@code input_ids} 0, {@code position_ids} counting on and {@code target_ids} -1 at its padded
     * positions (see {@link #run(List, Fetch)}).
     */
    Feed feed(List<SegmentInput> segments) {
        int batch = segments.size();
        int[] lengths = new int[batch];
        int length = 0;
        for (int b = 0; b < batch; b++) {
            SegmentInput segment = segments.get(b);
            checkTokens(segment.tokens(), plan.ragged() ? segment.tokens().length : segments.get(0).tokens().length);
            if (segment.next() >= 0) {
                validate(new long[] {segment.next()});
            }
            lengths[b] = segment.tokens().length;
            length = Math.max(length, lengths[b]);
        }
        long[] ids = new long[batch * length];
        long[] positions = new long[batch * length];
        long[] targets = tokenNll ? new long[batch * length] : null;   // only a graph that scores tokens takes them
        for (int b = 0; b < batch; b++) {
            SegmentInput segment = segments.get(b);
            for (int t = 0; t < length; t++) {
                boolean real = t < lengths[b];
                ids[b * length + t] = real ? segment.tokens()[t] : 0;
                positions[b * length + t] = segment.state().tokens() + t;
                if (targets != null) {
                    targets[b * length + t] = real ? segment.target(t) : -1;
                }
            }
        }
        return new Feed(lengths, length, ids, positions, targets);
    }

    /**
     * A per-position output [batch, T, ...] split into rows [1, L_b, ...]: each row cut to its real
     * positions (in a ragged batch, the outputs at padded positions are unspecified).
     */
    private static List<FloatTensor> rows(FloatTensor output, int[] lengths) {
        List<FloatTensor> rows = output.split();
        long length = output.shape()[1];
        List<FloatTensor> cut = new ArrayList<>(rows.size());
        for (int b = 0; b < rows.size(); b++) {
            cut.add(lengths[b] == length ? rows.get(b) : rows.get(b).narrow(1, 0, lengths[b]));
        }
        return cut;
    }

    private void checkTokens(long[] tokens, int length) {
        if (tokens.length == 0) {
            throw new InvalidSegmentException(InvalidSegmentException.Reason.EMPTY_SEGMENT, "a segment needs at least one token");
        }
        if (tokens.length != length) {
            throw new InvalidSegmentException(InvalidSegmentException.Reason.UNEQUAL_LENGTHS,
                    "segments run as one batch must have equal lengths for model " + id
                            + ", which does not take ragged batches; got " + tokens.length + " and " + length);
        }
        validate(tokens);
    }

    /** Refuses token ids outside the model's vocabulary. */
    public void validate(long[] tokens) {
        for (long token : tokens) {
            if (token < 0 || token >= plan.vocabSize()) {
                throw new InvalidSegmentException(InvalidSegmentException.Reason.TOKEN_OUT_OF_VOCABULARY,
                        "token id " + token + " is outside the vocabulary of model " + id + " (0.." + (plan.vocabSize() - 1) + ")");
            }
        }
    }

    /** The session, for a run holding the shared lock; refused once the model is closed. */
    private OrtSession openSession() {
        if (closed) {
            throw new IllegalStateException("model " + id + " is closed (the service is stopping)");
        }
        return session;
    }

    /** Closes the session once the runs inside it have returned; later runs are refused. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                session.close();
            }
        } catch (OrtException e) {
            throw new ModelContractException("model " + id + ": closing the session failed", e);
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    private OnnxTensor longTensor(long[] values, int rows, int columns) throws OrtException {
        return OnnxTensor.createTensor(env, LongBuffer.wrap(values), new long[] {rows, columns});
    }

    private FloatTensor floats(OrtSession.Result result, String name) {
        OnnxValue value = result.get(name).orElseThrow(
                () -> new ModelContractException("model " + id + " did not return output '" + name + "'"));
        OnnxTensor tensor = (OnnxTensor) value;
        FloatBuffer buffer = tensor.getFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return new FloatTensor(tensor.getInfo().getShape(), values);
    }

    /**
     * SHA-256 of {@code model.onnx} followed by its external data parts ({@code model.onnx.data-NN},
     * as {@code models/export.py} writes a model over 18 MB), in name order: a model without parts
     * keeps the digest of its one file, and a change to any weight changes the digest.
     */
    static String digest(Path onnx) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        List<Path> files = new ArrayList<>(List.of(onnx));
        try (Stream<Path> parts = Files.list(onnx.getParent())) {
            parts.filter(p -> p.getFileName().toString().startsWith(onnx.getFileName() + ".data-")).sorted()
                    .forEach(files::add);
        }
        byte[] chunk = new byte[1 << 16];
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                for (int n = in.read(chunk); n > 0; n = in.read(chunk)) {
                    digest.update(chunk, 0, n);
                }
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void closeQuietly(OrtSession session, Exception cause) {
        try {
            session.close();
        } catch (OrtException e) {
            cause.addSuppressed(e);
        }
    }
}
