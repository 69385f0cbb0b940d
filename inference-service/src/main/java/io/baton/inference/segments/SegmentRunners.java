package io.baton.inference.segments;

import io.baton.inference.InferenceProperties;
import io.baton.inference.InvalidConfigurationException;
import io.baton.inference.models.SegmentInput;
import io.baton.inference.models.SegmentModel;
import io.baton.inference.models.SegmentOutput;
import io.baton.inference.models.SegmentRunner;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each model's {@link SegmentRunner}: its states resident in the runtime's memory where {@code
 * baton.onnx.resident-states} asks for it and a {@link SegmentRunner.Provider} on the class path
 * can give it, otherwise the model's own run with the states on the heap. The choice, and why,
 * is logged for every model at start-up; {@code on} that cannot be had stops start-up.
 *
 * <p>{@code auto} keeps the heap on the CPU provider: there the states do not cross a bus, and
 * on the CPU the resident path measured no faster (docs/performance.md, "Resident states").
 */
public final class SegmentRunners implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SegmentRunners.class);

    private final Map<SegmentModel, SegmentRunner> runners;

    private SegmentRunners(Map<SegmentModel, SegmentRunner> runners) {
        this.runners = runners;
    }

    /** Every model on the heap. */
    public static SegmentRunners heap() {
        return new SegmentRunners(new IdentityHashMap<>());
    }

    /**
     * Chooses the runner of each of {@code models} by {@code onnx}'s {@code resident-states}, with
     * the providers on the class path; a resident runner keeps at least {@code maxBatch} documents.
     */
    public static SegmentRunners choose(Collection<SegmentModel> models, InferenceProperties.Onnx onnx, int maxBatch) {
        return choose(models, onnx, maxBatch, providers());
    }

    static SegmentRunners choose(Collection<SegmentModel> models, InferenceProperties.Onnx onnx, int maxBatch,
                                 Providers found) {
        String mode = onnx.residentStates();
        Map<SegmentModel, SegmentRunner> chosen = new IdentityHashMap<>();
        String heapBecause = null;
        if (mode.equals("off")) {
            heapBecause = "baton.onnx.resident-states is off";
        } else if (mode.equals("auto") && !onnx.provider().equals("cuda")) {
            heapBecause = "resident states are auto and the provider is " + onnx.provider()
                    + " (states cross no bus there)";
        } else if (found.providers().isEmpty()) {
            heapBecause = "no resident-state runner is on the class path (module inference-ffm, Java 22+)"
                    + (found.failure() == null ? "" : ": " + found.failure());
        } else if (onnx.residentCapacity() < maxBatch) {
            throw new InvalidConfigurationException("baton.onnx.resident-capacity (" + onnx.residentCapacity()
                    + ") must be at least baton.batching.max-batch (" + maxBatch + "): a batch's documents are resident together");
        }
        if (heapBecause != null && mode.equals("on")) {
            throw new InvalidConfigurationException("baton.onnx.resident-states is on, but " + heapBecause);
        }
        SegmentRunner.Settings settings = new SegmentRunner.Settings(onnx.provider(), onnx.deviceId(),
                onnx.intraOpThreads(), onnx.residentCapacity(), onnx.cudaTf32(), onnx.cudaConvAlgoSearch(),
                onnx.allowSpinning(), onnx.cudaGraphTokens(), onnx.sentenceMeans(), maxBatch);
        try {
            for (SegmentModel model : models) {
                String because = heapBecause;
                SegmentRunner.Provider provider = null;
                if (because == null) {
                    List<String> refusals = new ArrayList<>();
                    for (SegmentRunner.Provider p : found.providers()) {
                        String refusal = p.refusal(model, settings);
                        if (refusal == null) {
                            provider = p;
                            break;
                        }
                        refusals.add(refusal);
                    }
                    because = provider == null ? String.join("; ", refusals) : null;
                }
                if (provider == null) {
                    if (mode.equals("on")) {
                        throw new InvalidConfigurationException("baton.onnx.resident-states is on, but model "
                                + model.id() + " cannot keep its states resident: " + because);
                    }
                    SegmentRunner heap = SegmentRunner.heap(model);
                    log.info("model {}: {}{}; {}", model.id(), heap.describe(), lanes(heap), because);
                    continue;
                }
                SegmentRunner runner = provider.open(model, settings);
                chosen.put(model, runner);
                log.info("model {}: {}{}", model.id(), runner.describe(), lanes(runner));
            }
        } catch (RuntimeException e) {
            chosen.values().forEach(SegmentRunner::close);
            throw e;
        }
        return new SegmentRunners(chosen);
    }

    /** How the start-up log tells which segments the batcher joins for a runner. */
    private static String lanes(SegmentRunner runner) {
        return runner.takesRaggedBatches() ? ", segments of any length in one batch (ragged)" : "";
    }

    /** Runs one segment of each of {@code documents} of {@code model} as one batch, by the model's runner. */
    public List<SegmentOutput> run(SegmentModel model, List<String> documents, List<SegmentInput> inputs) {
        return runner(model).run(documents, inputs);
    }

    /**
     * Whether {@code model}'s runner takes segments of different lengths in one batch ({@link
     * SegmentRunner#takesRaggedBatches()}): the batcher then gives the model one lane for every length.
     */
    public boolean takesRaggedBatches(SegmentModel model) {
        return runner(model).takesRaggedBatches();
    }

    /** How {@code model}'s batches run (its runner's description, as logged at start-up). */
    public String describe(SegmentModel model) {
        return runner(model).describe();
    }

    /** {@code model}'s resident runner, or the model's own run on the heap. */
    private SegmentRunner runner(SegmentModel model) {
        SegmentRunner runner = runners.get(model);
        return runner == null ? SegmentRunner.heap(model) : runner;
    }

    /** Whether {@code model}'s states stay in the runtime's memory between segments. */
    public boolean resident(SegmentModel model) {
        return runners.containsKey(model);
    }

    @Override
    public void close() {
        runners.values().forEach(SegmentRunner::close);
    }

    /** The providers on the class path, and why loading one failed (e.g. a class built for a newer Java). */
    record Providers(List<SegmentRunner.Provider> providers, String failure) {
    }

    static Providers providers() {
        List<SegmentRunner.Provider> providers = new ArrayList<>();
        String failure = null;
        Iterator<SegmentRunner.Provider> it = ServiceLoader.load(SegmentRunner.Provider.class).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                providers.add(it.next());
            } catch (ServiceConfigurationError | LinkageError e) {
                failure = e.toString() + " (this JVM is Java " + Runtime.version().feature() + ")";
                break;
            }
        }
        return new Providers(List.copyOf(providers), failure);
    }
}
