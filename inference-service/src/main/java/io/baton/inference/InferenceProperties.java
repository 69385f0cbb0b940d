package io.baton.inference;

import io.baton.protocol.access.AccessSettings;
import io.baton.protocol.access.ServiceToken;
import io.baton.protocol.client.BreakerSettings;
import io.baton.protocol.client.ClientSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of the inference service (prefix {@code baton}; environment variables by relaxed
 * binding, e.g. {@code BATON_MODELS_DIR}, {@code BATON_MEMORY_URL}, {@code BATON_ONNX_PROVIDER},
 * {@code BATON_BATCHING_MAXBATCH}). {@code BATON_DEFAULT_MODEL}, the blueprint's name for
 * {@code baton.models.default-model}, is mapped in {@code application.yaml}.
 *
 * @param serviceToken the platform's service token ({@code BATON_SERVICE_TOKEN}): every request
 *                     to this service's {@code /v1/**} must carry it (as {@code Authorization:
 *                     Bearer}), and the memory client sends it; null for none
 * @param access       whether the service may run without a credential wherever it listens
 *                     (docs/protocol.md, "Service credentials")
 */
@ConfigurationProperties("baton")
public record InferenceProperties(@DefaultValue Models models, @DefaultValue Memory memory,
                                  @DefaultValue Onnx onnx, @DefaultValue Batching batching,
                                  @DefaultValue Segments segments, @DefaultValue Admission admission,
                                  @DefaultValue Runner runner,
                                  @DefaultValue Generation generation, @DefaultValue StateCache stateCache,
                                  ServiceToken serviceToken, @DefaultValue Access access) implements AccessSettings {

    @Override
    public boolean openAccess() {
        return access.open();
    }

    /**
     * {@code open} ({@code BATON_ACCESS_OPEN=true}): no credential is asked for even where the
     * service listens beyond loopback, for a deployment that authenticates callers in front of it.
     */
    public record Access(@DefaultValue("false") boolean open) {
    }

    /**
     * Where the model folders are and which model a request without one gets.
     *
     * @param dir          a folder of model folders ({@code BATON_MODELS_DIR}); by default the
     *                     repository's {@code models/zoo}, found from the working directory or
     *                     one of its parents, so {@code java -jar} from the repository root and
     *                     the tests (run in {@code inference-service/}) both find it
     * @param defaultModel the id (folder name) of the default model ({@code BATON_DEFAULT_MODEL});
     *                     blank means {@code cpuDefault}
     * @param cpuDefault   the model recommended where inference runs on CPUs ({@code
     *                     BATON_MODELS_CPUDEFAULT}, default {@value #CPU_DEFAULT}): the trained
     *                     model fast enough for {@code ./baton summarize} (docs/training.md)
     * @param gpuDefault   the model recommended where inference runs on a GPU ({@code
     *                     BATON_MODELS_GPUDEFAULT}, default {@value #GPU_DEFAULT}); the GPU overlay
     *                     serves it. {@code GET /v1/models} names both
     * @param maxPast      for Hugging Face hub exports only: how many past tokens a global
     *                     attention layer (one without a sliding window) keeps; such a model is not
     *                     exact for documents longer than this
     * @param load         which folders are loaded at start ({@code BATON_MODELS_LOAD}): {@value #LOAD_ALL}
     *                     (every model folder, the default: a service serves them all and a broken one stops
     *                     start-up) or {@value #LOAD_DEFAULT} (the default model alone: what {@code ./baton
     *                     summarize} without {@code --model} needs, without every other model's session)
     */
    public record Models(Path dir, String defaultModel, String cpuDefault, String gpuDefault,
                         @DefaultValue("4096") int maxPast, @DefaultValue(Models.LOAD_ALL) String load) {

        /** {@code baton.models.load}: every model folder. */
        public static final String LOAD_ALL = "all";
        /** {@code baton.models.load}: the default model's folder alone. */
        public static final String LOAD_DEFAULT = "default";

        /** Trained on the Gutenberg corpus (issue 17); SQuALITY dev 1.51 bits per byte, state carried. */
        public static final String CPU_DEFAULT = "jamba-medium";
        /**
         * The largest trained model under the 60 MB size limit (issue 17): SQuALITY dev 1.43 bits per byte,
         * state carried, better than the CPU default on every held-out source but above the GPU bar of 1.40
         * (docs/training.md).
         */
        public static final String GPU_DEFAULT = "jamba-large";

        @ConstructorBinding
        public Models {
            dir = dir == null ? findZoo(Path.of("").toAbsolutePath()) : dir;
            cpuDefault = orElse(cpuDefault, CPU_DEFAULT);
            gpuDefault = orElse(gpuDefault, GPU_DEFAULT);
            defaultModel = orElse(defaultModel, cpuDefault);
            if (maxPast < 1) {
                throw new IllegalArgumentException("baton.models.max-past must be at least 1, got " + maxPast);
            }
            load = orElse(load, LOAD_ALL);
            if (!load.equals(LOAD_ALL) && !load.equals(LOAD_DEFAULT)) {
                throw new IllegalArgumentException("baton.models.load must be " + LOAD_ALL + " or " + LOAD_DEFAULT
                        + ", got '" + load + "'");
            }
        }

        /** Every model folder, and the default model alone ({@code load}). */
        public Models(Path dir, String defaultModel, String cpuDefault, String gpuDefault, int maxPast) {
            this(dir, defaultModel, cpuDefault, gpuDefault, maxPast, LOAD_ALL);
        }

        /** Whether only the default model is loaded. */
        public boolean defaultOnly() {
            return load.equals(LOAD_DEFAULT);
        }

        private static String orElse(String id, String otherwise) {
            return id == null || id.isBlank() ? otherwise : id.strip();
        }

        /** The nearest {@code models/zoo} at or above {@code from}; {@code models/zoo} if none. */
        static Path findZoo(Path from) {
            for (Path at = from; at != null; at = at.getParent()) {
                Path zoo = at.resolve("models").resolve("zoo");
                if (Files.isDirectory(zoo)) {
                    return zoo;
                }
            }
            return Path.of("models", "zoo");
        }
    }

    /**
     * The memory service: base {@code url} ({@code BATON_MEMORY_URL}), a {@code timeout} per call,
     * how many times an idempotent call is retried, the circuit breaker ({@link BreakerSettings}:
     * 50% of 20 calls, open 10s, 3 trial calls unless set), and for an {@code https://} url the
     * name of the SSL bundle ({@code spring.ssl.bundle.*}) with the client certificate to present
     * and the CA to trust ({@code sslBundle}, {@code BATON_MEMORY_SSLBUNDLE}; none: the JVM's
     * trust store, no certificate).
     */
    public record Memory(@DefaultValue("http://127.0.0.1:8082") String url,
                         @DefaultValue("2s") Duration timeout,
                         @DefaultValue("2") int retries,
                         @DefaultValue("100ms") Duration retryBackoff,
                         @DefaultValue BreakerSettings circuitBreaker,
                         String sslBundle) {

        public Memory {
            if (retries < 0) {
                throw new IllegalArgumentException("baton.memory.retries must not be negative, got " + retries);
            }
        }

        /** These settings as the memory client takes them. */
        public ClientSettings client() {
            return new ClientSettings(url, timeout, retries, retryBackoff, null, circuitBreaker, null);
        }
    }

    /**
     * ONNX Runtime session options.
     *
     * @param provider       execution provider: {@code cpu} or {@code cuda}
     * @param deviceId       the CUDA device (ignored by {@code cpu})
     * @param intraOpThreads threads inside one operator; 0 = ONNX Runtime's default (one per core)
     * @param interOpThreads threads across independent operators; 0 = ONNX Runtime's default
     * @param optimization   graph optimisation level: {@code all}, {@code extended}, {@code basic}
     *                       or {@code none}
     * @param memoryArena    whether the CPU allocator keeps an arena of freed blocks
     * @param cudaTf32       whether the CUDA provider may compute fp32 matrix products and
     *                       convolutions in TF32 ({@code BATON_ONNX_CUDATF32}). ONNX Runtime allows
     *                       it by default; here it is off, because with it the Jamba models' logits
     *                       differ from the CPU's by up to 7 (fp32: 7e-4); see docs/performance.md
     * @param allowSpinning  whether ONNX Runtime's worker threads spin while they wait for work
     *                       ({@code BATON_ONNX_ALLOWSPINNING}). ONNX Runtime spins by default; here it
     *                       is off: between two runs the service does HTTP and state work, and a
     *                       spinning worker burnt about 0.7 of a core all the while (segment
     *                       tokens/s unchanged, CPU per segment 40% lower without); docs/performance.md
     * @param cudaConvAlgoSearch how the CUDA provider picks a cuDNN convolution algorithm
     *                       ({@code BATON_ONNX_CUDACONVALGOSEARCH}): {@code heuristic} (here the
     *                       default: cuDNN's heuristics), {@code exhaustive} (ONNX Runtime's default:
     *                       benchmark every algorithm) or {@code default}. With exhaustive, the
     *                       service's batched runs of the bench model took 4-6x as long as the same
     *                       batch in a bare loop on the H200 (service at 0.1-0.5 of the bare loop);
     *                       with heuristic 0.6-0.95, outputs unchanged; docs/performance.md
     * @param residentStates whether live documents' states stay in the runtime's memory between
     *                       their segments ({@code BATON_ONNX_RESIDENTSTATES}): {@code auto} (the
     *                       default: on the CUDA provider when a runner for it is on the class path,
     *                       the JVM has the FFM API and the model's plan allows it; else on the heap),
     *                       {@code on} (start-up fails when it cannot be had) or {@code off}
     *                       ({@code SegmentRunner}; docs/performance.md)
     * @param residentCapacity the most documents whose states stay resident at once, per model
     *                       ({@code BATON_ONNX_RESIDENTCAPACITY}); at least {@code baton.batching.max-batch}
     * @param cudaGraphTokens with resident states, batches whose segments have at most this many tokens run in
     *                       fixed-shape frames ({@code BATON_ONNX_CUDAGRAPHTOKENS}; 0, the default: none): the
     *                       batch padded to 1, 2, 4, 8 or a multiple of 8 rows and to this many tokens, each frame
     *                       size's run captured once as a CUDA graph on the {@code cuda} provider and replayed
     *                       (one launch instead of the graph's kernels one by one). Set it to the gateway's
     *                       segment length; on the {@code cpu} provider frames only add padding (docs/performance.md)
     * @param sentenceMeans  with resident states, where the sentence vectors are computed ({@code
     *                       BATON_ONNX_SENTENCEMEANS}): {@code auto} (the default: {@code runtime} on the {@code cuda}
     *                       provider, {@code host} on {@code cpu}), {@code runtime} (by ONNX Runtime where the run
     *                       left {@code last_hidden_state}, so that only the means cross to the host: 16.8 MB of hidden
     *                       states per batch of 32 x 256 of the bench model stay on the device) or {@code host} (the
     *                       hidden states copied out, and the means summed in double by the service)
     */
    public record Onnx(@DefaultValue("cpu") String provider, @DefaultValue("0") int deviceId,
                       @DefaultValue("0") int intraOpThreads, @DefaultValue("0") int interOpThreads,
                       @DefaultValue("all") String optimization, @DefaultValue("true") boolean memoryArena,
                       @DefaultValue("false") boolean cudaTf32, @DefaultValue("false") boolean allowSpinning,
                       @DefaultValue("heuristic") String cudaConvAlgoSearch,
                       @DefaultValue("auto") String residentStates, @DefaultValue("64") int residentCapacity,
                       @DefaultValue("0") int cudaGraphTokens, @DefaultValue("auto") String sentenceMeans) {

        /** Settings with resident states {@code auto} and 64 documents. */
        public Onnx(String provider, int deviceId, int intraOpThreads, int interOpThreads, String optimization,
                    boolean memoryArena, boolean cudaTf32, boolean allowSpinning, String cudaConvAlgoSearch) {
            this(provider, deviceId, intraOpThreads, interOpThreads, optimization, memoryArena, cudaTf32, allowSpinning,
                    cudaConvAlgoSearch, "auto", 64);
        }

        /** Settings without CUDA graphs. */
        public Onnx(String provider, int deviceId, int intraOpThreads, int interOpThreads, String optimization,
                    boolean memoryArena, boolean cudaTf32, boolean allowSpinning, String cudaConvAlgoSearch,
                    String residentStates, int residentCapacity) {
            this(provider, deviceId, intraOpThreads, interOpThreads, optimization, memoryArena, cudaTf32, allowSpinning,
                    cudaConvAlgoSearch, residentStates, residentCapacity, 0);
        }

        /** Settings with sentence means {@code auto}. */
        public Onnx(String provider, int deviceId, int intraOpThreads, int interOpThreads, String optimization,
                    boolean memoryArena, boolean cudaTf32, boolean allowSpinning, String cudaConvAlgoSearch,
                    String residentStates, int residentCapacity, int cudaGraphTokens) {
            this(provider, deviceId, intraOpThreads, interOpThreads, optimization, memoryArena, cudaTf32, allowSpinning,
                    cudaConvAlgoSearch, residentStates, residentCapacity, cudaGraphTokens, "auto");
        }

        @ConstructorBinding
        public Onnx {
            residentStates = residentStates.strip().toLowerCase(Locale.ROOT);
            if (!List.of("auto", "on", "off").contains(residentStates)) {
                throw new IllegalArgumentException("baton.onnx.resident-states must be auto, on or off, got '"
                        + residentStates + "'");
            }
            if (residentCapacity < 1) {
                throw new IllegalArgumentException("baton.onnx.resident-capacity must be at least 1, got " + residentCapacity);
            }
            sentenceMeans = sentenceMeans.strip().toLowerCase(Locale.ROOT);
            if (!List.of("auto", "runtime", "host").contains(sentenceMeans)) {
                throw new IllegalArgumentException("baton.onnx.sentence-means must be auto, runtime or host, got '"
                        + sentenceMeans + "'");
            }
            if (cudaGraphTokens < 0) {
                throw new IllegalArgumentException("baton.onnx.cuda-graph-tokens must not be negative, got " + cudaGraphTokens);
            }
            provider = provider.strip().toLowerCase(Locale.ROOT);
            optimization = optimization.strip().toLowerCase(Locale.ROOT);
            cudaConvAlgoSearch = cudaConvAlgoSearch.strip().toLowerCase(Locale.ROOT);
            if (!List.of("exhaustive", "heuristic", "default").contains(cudaConvAlgoSearch)) {
                throw new IllegalArgumentException("baton.onnx.cuda-conv-algo-search must be exhaustive, heuristic or "
                        + "default, got '" + cudaConvAlgoSearch + "'");
            }
            if (deviceId < 0 || intraOpThreads < 0 || interOpThreads < 0) {
                throw new IllegalArgumentException("baton.onnx device-id, intra-op-threads and inter-op-threads "
                        + "must not be negative");
            }
        }
    }

    /**
     * Continuous batching: segments of different documents that queue while a batch runs go
     * together in the next one, up to {@code maxBatch}. With {@code maxWait} 0 (the default: on a
     * CPU a batch costs as much per token as one segment, and a wait only adds latency) nothing
     * waits. A positive {@code maxWait} (for a GPU, where a batch of 32 runs at several times the
     * tokens/s of one segment) lets an idle runner wait that long for company, and a finished
     * batch wait that long for its documents' next segments, so that documents that started apart
     * share batches ({@code SegmentBatcher}). At most {@code maxQueued} segments wait to run, over
     * all models and lengths ({@code BATON_BATCHING_MAXQUEUED}); one more is refused at once with
     * 503 {@code service-busy} and {@code Retry-After} (docs/reliability.md).
     *
     * <p>Batch segments (a batch job's) yield to interactive ones: none starts while an
     * interactive segment waits or runs, nor within {@code interactiveQuiet} of the last
     * interactive run's end ({@code BATON_BATCHING_INTERACTIVEQUIET}), unless it has yielded for
     * {@code batchMaxYield} ({@code BATON_BATCHING_BATCHMAXYIELD}): the bound on how long batch
     * work waits under a steady stream of interactive requests (docs/reliability.md, "Interactive
     * first").
     */
    public record Batching(@DefaultValue("8") int maxBatch, @DefaultValue("0ms") Duration maxWait,
                           @DefaultValue("256") int maxQueued, @DefaultValue("50ms") Duration interactiveQuiet,
                           @DefaultValue("2s") Duration batchMaxYield) {

        public Batching {
            if (maxBatch < 1) {
                throw new IllegalArgumentException("baton.batching.max-batch must be at least 1, got " + maxBatch);
            }
            if (maxQueued < 1) {
                throw new IllegalArgumentException("baton.batching.max-queued must be at least 1, got " + maxQueued);
            }
            if (maxWait.isNegative()) {
                throw new IllegalArgumentException("baton.batching.max-wait must not be negative, got " + maxWait);
            }
            if (interactiveQuiet.isNegative() || batchMaxYield.isNegative()) {
                throw new IllegalArgumentException("baton.batching.interactive-quiet and batch-max-yield must not be "
                        + "negative, got " + interactiveQuiet + " and " + batchMaxYield);
            }
        }
    }

    /**
     * Bounds of {@code POST /v1/segments} (docs/reliability.md, "Inference: limits and admission").
     *
     * @param maxTokens           the longest segment (in tokens) a request may carry
     *                            ({@code BATON_SEGMENTS_MAXTOKENS}); also the longest prompt
     * @param maxSentences        the most sentence spans one request may carry
     *                            ({@code BATON_SEGMENTS_MAXSENTENCES}); each span is a vector in the answer
     * @param maxSentenceCoverage the tokens covered by all spans together, at most this many times
     *                            the segment's tokens ({@code BATON_SEGMENTS_MAXSENTENCECOVERAGE}):
     *                            a span's read-out costs its length, and overlapping spans would
     *                            otherwise multiply it without bound
     * @param maxInFlight         the most segment requests in flight at once (reading state, queued,
     *                            running, storing; {@code BATON_SEGMENTS_MAXINFLIGHT}); one more is
     *                            refused with 503 {@code service-busy} and {@code Retry-After}
     * @param pipelineWait        how long segment n waits, when checkpoint n-1 is neither stored nor
     *                            in flight on this instance, for n-1 to start here before n is refused
     *                            as a gap ({@code BATON_SEGMENTS_PIPELINEWAIT}; 0: not at all): a client
     *                            that sends n+1 before n's answer (pipelined segments, docs/reliability.md)
     *                            may have n overtaken on the way
     * @param putAheadWait        for a segment that ran from its predecessor still in flight here (pipelined
     *                            segments), how long its checkpoint's put, sent before the predecessor's put is
     *                            answered, may wait in the memory service for the predecessor to be stored
     *                            ({@code BATON_SEGMENTS_PUTAHEADWAIT}; 0, the default until a GPU run shows it
     *                            pays: the put waits for the predecessor's answer here instead, and a document's
     *                            puts go one after the other; docs/performance.md, "Puts ahead")
     * @param maxPutsAhead        the most of one document's checkpoints put ahead at once on this instance, each
     *                            held in the memory service until its predecessor is stored
     *                            ({@code BATON_SEGMENTS_MAXPUTSAHEAD}; at least 1, default 3); a follower beyond it
     *                            puts after its predecessor's answer
     */
    public record Segments(@DefaultValue("2048") int maxTokens, @DefaultValue("2048") int maxSentences,
                           @DefaultValue("4") int maxSentenceCoverage, @DefaultValue("512") int maxInFlight,
                           @DefaultValue("500ms") Duration pipelineWait, @DefaultValue("0s") Duration putAheadWait,
                           @DefaultValue("3") int maxPutsAhead) {

        public Segments {
            if (maxTokens < 1) {
                throw new IllegalArgumentException("baton.segments.max-tokens must be at least 1, got " + maxTokens);
            }
            if (maxSentences < 0 || maxSentenceCoverage < 1 || maxInFlight < 1) {
                throw new IllegalArgumentException("baton.segments.max-sentences must not be negative, and "
                        + "max-sentence-coverage and max-in-flight must be at least 1");
            }
            if (pipelineWait.isNegative()) {
                throw new IllegalArgumentException("baton.segments.pipeline-wait must not be negative, got " + pipelineWait);
            }
            if (putAheadWait.isNegative()) {
                throw new IllegalArgumentException("baton.segments.put-ahead-wait must not be negative, got " + putAheadWait);
            }
            if (maxPutsAhead < 1) {
                throw new IllegalArgumentException("baton.segments.max-puts-ahead must be at least 1, got " + maxPutsAhead);
            }
        }
    }

    /**
     * How much of the service batch work may take (docs/reliability.md, "Interactive first: batch
     * priority at inference"). Segments of {@code priority} {@code batch} take at most
     * {@code batchShare} of the segments in flight ({@code baton.segments.max-in-flight}) and of the
     * segments waiting to run ({@code baton.batching.max-queued}), at least one place of each
     * ({@code BATON_ADMISSION_BATCHSHARE}, more than 0, at most 1). The rest is left to interactive
     * segments, so batch work never makes them {@code service-busy} by filling a bound; one batch
     * segment more than its share is refused 503 {@code service-busy} with {@code Retry-After}.
     */
    public record Admission(@DefaultValue("0.5") double batchShare) {

        public Admission {
            if (!(batchShare > 0 && batchShare <= 1)) {
                throw new IllegalArgumentException("baton.admission.batch-share must be more than 0 and at most 1, got "
                        + batchShare);
            }
        }

        /** The places of {@code bound} batch work may take: its share, rounded down, and at least one. */
        public int batchPlaces(int bound) {
            return Math.max(1, (int) Math.floor(batchShare * bound));
        }
    }

    /**
     * The scheduler that ONNX Runtime runs block on: at most {@code threads} runs at once (0 = one
     * per available processor), at most {@code queue} more waiting.
     */
    public record Runner(@DefaultValue("0") int threads, @DefaultValue("10000") int queue) {

        public Runner {
            threads = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
            if (threads < 1 || queue < 1) {
                throw new IllegalArgumentException("baton.runner.threads must not be negative and "
                        + "baton.runner.queue must be at least 1");
            }
        }
    }

    /**
     * The states this instance stored last, one per document, kept so that the document's next
     * segment on this instance need not read its checkpoint back ({@code BATON_STATECACHE_MAXBYTES};
     * 0 turns it off). Least recently used documents leave first, and a document's state leaves
     * after {@code idleExpiry} unused ({@code BATON_STATECACHE_IDLEEXPIRY}): this instance is not
     * told when another process deletes a document or a client abandons it, and its state should
     * not push out those of live documents.
     */
    public record StateCache(@DefaultValue("256MB") DataSize maxBytes, @DefaultValue("10m") Duration idleExpiry) {

        public StateCache {
            if (maxBytes.isNegative()) {
                throw new IllegalArgumentException("baton.state-cache.max-bytes must not be negative, got " + maxBytes);
            }
            if (idleExpiry.isNegative() || idleExpiry.isZero()) {
                throw new IllegalArgumentException("baton.state-cache.idle-expiry must be positive, got " + idleExpiry);
            }
        }
    }

    /**
     * {@code POST /v1/generate}: at most {@code maxTokens} new tokens per request
     * ({@code BATON_GENERATION_MAXTOKENS}), at most {@code maxInFlight} generations at once, each
     * holding its place until its last token ({@code BATON_GENERATION_MAXINFLIGHT}); one more is
     * refused with 503 {@code service-busy} and {@code Retry-After}.
     */
    public record Generation(@DefaultValue("512") int maxTokens, @DefaultValue("64") int maxInFlight) {

        public Generation {
            if (maxTokens < 1) {
                throw new IllegalArgumentException("baton.generation.max-tokens must be at least 1, got " + maxTokens);
            }
            if (maxInFlight < 1) {
                throw new IllegalArgumentException("baton.generation.max-in-flight must be at least 1, got " + maxInFlight);
            }
        }
    }
}
