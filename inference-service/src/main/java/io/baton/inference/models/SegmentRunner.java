package io.baton.inference.models;

import java.util.List;

/**
 * Runs one model's batches of segments, each segment of a named document. By default the model
 * runs them itself ({@link SegmentModel#run(List, SegmentModel.Fetch)} with {@link
 * SegmentModel.Fetch#TOKEN_NLL}: ONNX Runtime Java, every state fed from the Java heap and
 * copied back to it each segment). A runner that keeps live documents' states in the runtime's
 * memory between their segments (device memory on CUDA: module {@code inference-ffm}, Java 22+)
 * comes from a {@link Provider} found on the class path.
 *
 * <p>Whatever the runner, each output is what the model's own run gives, with the segment's next
 * state on the heap (its checkpoint is written from it). A runner may continue a document from
 * a state it kept only when the input proves that state is the one to continue from: the input's
 * {@link DocumentState} is the very object (identity, not equality) the runner returned as that
 * document's next state. The segment pipeline hands back exactly that object when it continues
 * from the checkpoint it stored itself ({@code StateCache}); a state read from the memory service,
 * an initial state, or the retry of an earlier segment is another object, and the runner loads it.
 */
public interface SegmentRunner extends AutoCloseable {

    /**
     * Runs one segment of each of {@code documents} (distinct, in the order of {@code segments}, of
     * one length, or of any lengths where {@link #takesRaggedBatches()}) as one batch. A run that
     * fails leaves no document's kept state in doubt: the runner forgets what the failure may have
     * touched.
     */
    List<SegmentOutput> run(List<String> documents, List<SegmentInput> segments);

    /**
     * Whether {@link #run} takes segments of different lengths in one batch, each output what the
     * model's own ragged run gives ({@link SegmentModel#run(List, SegmentModel.Fetch)} for a model
     * whose plan is {@linkplain StatePlan#ragged() ragged}). The batcher gives a runner that does
     * not (the default: a runner written before ragged batches, or one that cannot pad its inputs
     * or keep a window per row) batches of one segment length only.
     */
    default boolean takesRaggedBatches() {
        return false;
    }

    /** How the start-up log describes it, e.g. {@code states resident in CUDA memory, 64 documents}. */
    String describe();

    @Override
    void close();

    /** The default: the model's own run, states through the heap. */
    static SegmentRunner heap(SegmentModel model) {
        return new SegmentRunner() {
            @Override
            public List<SegmentOutput> run(List<String> documents, List<SegmentInput> segments) {
                return model.run(segments, SegmentModel.Fetch.TOKEN_NLL);
            }

            @Override
            public boolean takesRaggedBatches() {
                return model.plan().ragged();
            }

            @Override
            public String describe() {
                return "states on the Java heap (ONNX Runtime Java: fed in and copied out every segment)";
            }

            @Override
            public void close() {
                // The model's session belongs to the registry.
            }
        };
    }

    /**
     * Makes runners that keep states in the runtime's memory; found with {@link
     * java.util.ServiceLoader}.
     */
    interface Provider {

        /**
         * Why this provider cannot run {@code model} with {@code settings} here (e.g. a past that
         * grows, a JVM without the FFM API), or null when it can.
         */
        String refusal(SegmentModel model, Settings settings);

        /** A runner for {@code model}: its own session of {@code model.folder()}, on the same execution provider. */
        SegmentRunner open(SegmentModel model, Settings settings);
    }

    /**
     * What a provider's runner is opened with.
     *
     * @param provider       the execution provider, {@code cpu} or {@code cuda}
     * @param deviceId       the CUDA device
     * @param intraOpThreads threads inside one operator (0: ONNX Runtime's default)
     * @param capacity       the most documents whose states are kept at once
     * @param cudaTf32       whether CUDA may compute fp32 products in TF32
     * @param cudaConvAlgoSearch how CUDA picks a cuDNN convolution algorithm ({@code heuristic}, ...)
     * @param allowSpinning  whether ONNX Runtime's intra-op threads spin while they wait for work
     * @param cudaGraphTokens batches of segments up to this many tokens run in fixed-shape frames, captured as
     *                       CUDA graphs on the {@code cuda} provider (0: none)
     * @param sentenceMeans  where the sentence vectors (means of {@code last_hidden_state} over the sentences) are
     *                       computed: {@code runtime} (where the hidden states lie: on CUDA only the means cross
     *                       to the host), {@code host} (the hidden states copied out, the service pools them) or
     *                       {@code auto} (runtime on {@code cuda}, host on {@code cpu})
     * @param maxBatch       the most segments the batcher runs at once ({@code baton.batching.max-batch}): with
     *                       frames, a frame for every batch size up to it is made (and captured) when the runner
     *                       opens; 0: each when a batch first needs it
     */
    record Settings(String provider, int deviceId, int intraOpThreads, int capacity, boolean cudaTf32,
                    String cudaConvAlgoSearch, boolean allowSpinning, int cudaGraphTokens, String sentenceMeans,
                    int maxBatch) {

        /** Sentence means {@code auto}, frames made on first use. */
        public Settings(String provider, int deviceId, int intraOpThreads, int capacity, boolean cudaTf32,
                        String cudaConvAlgoSearch, boolean allowSpinning, int cudaGraphTokens) {
            this(provider, deviceId, intraOpThreads, capacity, cudaTf32, cudaConvAlgoSearch, allowSpinning,
                    cudaGraphTokens, "auto", 0);
        }

        /** Without CUDA graphs. */
        public Settings(String provider, int deviceId, int intraOpThreads, int capacity, boolean cudaTf32,
                        String cudaConvAlgoSearch, boolean allowSpinning) {
            this(provider, deviceId, intraOpThreads, capacity, cudaTf32, cudaConvAlgoSearch, allowSpinning, 0);
        }

        /** Whether the runner computes the sentence vectors where the hidden states lie ({@code sentenceMeans}). */
        public boolean sentenceMeansInRuntime() {
            return sentenceMeans.equals("runtime") || sentenceMeans.equals("auto") && provider.equals("cuda");
        }
    }
}
