package io.baton.inference.bench;

import ai.onnxruntime.OrtSession;
import io.baton.inference.models.DocumentState;
import io.baton.inference.models.SegmentInput;
import io.baton.inference.models.SegmentModel;
import io.baton.inference.state.CheckpointId;
import io.baton.inference.state.Checkpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Segment tokens/s through the whole service path (HTTP {@code POST /v1/segments}: the state of
 * segment n-1, the run in the batcher, checkpoint n stored in the memory service before the
 * answer) against a bare ONNX Runtime loop over the same model and segments ({@link
 * SegmentModel#run} with the state kept in this process), interleaved round by round in one run.
 * The bare loop's session options are the service's own ({@link BenchModels#options(int)}: the
 * service's {@code SessionOptionsFactory} with its defaults), so the ratio is the cost of the
 * service's path, not of a different ONNX Runtime setting. The same pair is measured with ONNX
 * Runtime's worker threads spinning between runs ({@code baton.onnx.allow-spinning=true}, ONNX
 * Runtime's own default; off in the service by default to leave the cores to other work): a
 * third service instance with spinning on against a bare loop with spinning on.
 *
 * <p>A second service instance on the same memory service runs with its state cache off
 * ({@code baton.state-cache.max-bytes=0}: every segment reads checkpoint n-1 back), in the same
 * turns. Each round also records the CPU time used by this JVM (the service, and the client
 * posting to it) and by the memory service's JVM; Redis's own CPU is not counted. Where a
 * segment's time goes comes from the service's own answers: the mean of each step of its
 * {@code Server-Timing} header over the cached service's rounds, and the client's time per
 * segment minus the service's total (HTTP both ways, JSON, the client).
 *
 * <p>Arguments: {@code modelsDir models textFile lengths seconds rounds threads [warmUpSeconds]},
 * e.g. {@code models/zoo gemma2-tiny,jamba-tiny text.txt 64,256 2.0 3 2}. One document per round,
 * processed segment by segment from the first; the service gets a new document each round.
 */
public final class ServiceVsOrt {

    static final List<String> STEPS = List.of("state", "queue", "run", "predecessor", "store", "readout", "total");

    /**
     * The model whose segments warm both JVMs up: a bench-size model makes a few hundred requests
     * in a minute and leaves the memory service's request path interpreted (a put of 668 KB took
     * 4.4-4.8 ms then against 2.6-2.9 ms after a few thousand puts); a small model makes thousands.
     */
    static final String WARM_UP_MODEL = "gemma2-tiny";
    static final double MODEL_WARM_UP_SECONDS = 15;

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        List<String> models = List.of(args[1].split(","));
        byte[] text = Files.readAllBytes(Path.of(args[2]));
        int[] lengths = Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray();
        double seconds = Double.parseDouble(args[4]);
        int rounds = Integer.parseInt(args[5]);
        int threads = Integer.parseInt(args[6]);
        double warmUpSeconds = args.length > 7 ? Double.parseDouble(args[7]) : 150;

        System.out.printf(Locale.ROOT, "ONNX Runtime Java, %d intra-op threads, 1 inter-op thread, %d cores; "
                        + "%.1f s per round, %d rounds per variant, the variants taking turns; median of the rounds%n%n",
                threads, Runtime.getRuntime().availableProcessors(), seconds, rounds);
        System.out.printf(Locale.ROOT, "Warm-up first: %.0f s of %s segments of 64 tokens through the service (both JVMs'"
                + " JIT compilers settle only after ~10,000 requests, which a small model makes in a minute or two), then"
                + " %.0f s of the first model through the service and the bare loop.%n%n", warmUpSeconds, WARM_UP_MODEL,
                MODEL_WARM_UP_SECONDS);
        List<String> breakdown = new ArrayList<>();
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, models.get(0), threads, Map.of());
             OrtSession.SessionOptions options = BenchModels.options(threads);
             OrtSession.SessionOptions spinning = BenchModels.options(threads, true)) {
            warmUp(service, dir.resolve(models.get(0)), options, text, lengths[0], warmUpSeconds);
            int uncached = service.addInstance(Map.of("baton.state-cache.max-bytes", "0"));
            int spins = service.addInstance(Map.of("baton.onnx.allow-spinning", "true"));
            System.out.println("| model | seg | bare ORT (tokens/s) | service (tokens/s) | service / bare "
                    + "| service, state cache off / bare | spinning on: bare ORT (tokens/s) | service (tokens/s) "
                    + "| service / bare, both spinning "
                    + "| rounds: service / bare; cache off / bare; both spinning "
                    + "| CPU ms per segment: bare | service (inference + memory JVM) | service, cache off "
                    + "| bare spinning | service spinning |");
            System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|");
            for (String id : models) {
                try (SegmentModel model = SegmentModel.load(dir.resolve(id), options);
                     SegmentModel spinningModel = SegmentModel.load(dir.resolve(id), spinning)) {
                    for (int length : lengths) {
                        serviceRound(service, 0, model, text, length, 0, 1.0); // this model and length
                        serviceRound(service, uncached, model, text, length, 0, 1.0);
                        serviceRound(service, spins, model, text, length, 0, 1.0);
                        bareRound(service, model, text, length, 0, 1.0);
                        bareRound(service, spinningModel, text, length, 0, 1.0);
                        Round[] bare = new Round[rounds];
                        Round[] bareSpinning = new Round[rounds];
                        Round[] cached = new Round[rounds];
                        Round[] off = new Round[rounds];
                        Round[] serviceSpinning = new Round[rounds];
                        for (int r = 0; r < rounds; r++) {
                            int offset = 10_000 + r * 100_003;
                            bare[r] = bareRound(service, model, text, length, offset, seconds);
                            cached[r] = serviceRound(service, 0, model, text, length, offset, seconds);
                            off[r] = serviceRound(service, uncached, model, text, length, offset, seconds);
                            bareSpinning[r] = bareRound(service, spinningModel, text, length, offset, seconds);
                            serviceSpinning[r] = serviceRound(service, spins, model, text, length, offset, seconds);
                        }
                        double[] cachedRatio = Round.ratios(cached, bare);
                        double[] offRatio = Round.ratios(off, bare);
                        double[] spinningRatio = Round.ratios(serviceSpinning, bareSpinning);
                        System.out.printf(Locale.ROOT, "| %s | %d | %,.0f | %,.0f | **%.2f** | %.2f | %,.0f | %,.0f | **%.2f** "
                                        + "| %s; %s; %s | %.2f | %.2f | %.2f | %.2f | %.2f |%n",
                                id, length, Round.median(bare, x -> x.tokensPerSecond), Round.median(cached, x -> x.tokensPerSecond),
                                BenchModels.median(cachedRatio), BenchModels.median(offRatio),
                                Round.median(bareSpinning, x -> x.tokensPerSecond),
                                Round.median(serviceSpinning, x -> x.tokensPerSecond), BenchModels.median(spinningRatio),
                                list(cachedRatio), list(offRatio), list(spinningRatio),
                                Round.cpuPerSegment(bare, false), Round.cpuPerSegment(cached, true),
                                Round.cpuPerSegment(off, true), Round.cpuPerSegment(bareSpinning, false),
                                Round.cpuPerSegment(serviceSpinning, true));
                        breakdown.add(breakdown(id, length, cached, bare, checkpointBytes(model, text, length)));
                    }
                }
            }
        }
        System.out.println();
        System.out.println("Where a segment's time goes through the service (state cache on; mean ms per segment over its "
                + "rounds, from the service's Server-Timing answers; outside = the client's time minus the service's total):");
        System.out.println();
        System.out.println("| model | seg | client | state | queue | run | predecessor (a follower's wait for its PUT) "
                + "| store (encode + PUT n) | readout (beside the PUT) | service total | outside: HTTP, JSON, client "
                + "| bare ORT run | checkpoint bytes |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        breakdown.forEach(System.out::println);
    }

    /**
     * {@code seconds} of {@link #WARM_UP_MODEL}'s segments through the service, then segments of
     * the model in {@code folder} through the service and the bare loop, so that both JVMs (this
     * one and the memory service's) have compiled their hot paths before anything is timed.
     */
    static void warmUp(ServiceUnderTest service, Path folder, OrtSession.SessionOptions options, byte[] text,
                       int length, double seconds) {
        try (SegmentModel small = SegmentModel.load(folder.resolveSibling(WARM_UP_MODEL), options)) {
            serviceRound(service, 0, small, text, 64, 0, seconds);
        }
        try (SegmentModel model = SegmentModel.load(folder, options)) {
            long end = System.nanoTime() + (long) (MODEL_WARM_UP_SECONDS * 1e9);
            while (System.nanoTime() < end) {
                serviceRound(service, 0, model, text, length, 0, 2.0);
                bareRound(service, model, text, length, 0, 0.2);
            }
        }
    }

    /**
     * One timed round: tokens/s, segments, wall-clock ns, the CPU time this JVM and the memory
     * service's used, and (service rounds) each Server-Timing step's ms summed over the segments.
     */
    record Round(double tokensPerSecond, long segments, long nanos, long ownCpu, long memoryCpu, Map<String, Double> steps) {

        static double median(Round[] rounds, java.util.function.ToDoubleFunction<Round> value) {
            return BenchModels.median(Arrays.stream(rounds).mapToDouble(value).toArray());
        }

        static double total(Round[] rounds, java.util.function.ToDoubleFunction<Round> value) {
            return Arrays.stream(rounds).mapToDouble(value).sum();
        }

        /** Round by round, tokens/s of {@code a} over tokens/s of {@code b}. */
        static double[] ratios(Round[] a, Round[] b) {
            double[] out = new double[a.length];
            for (int r = 0; r < a.length; r++) {
                out[r] = a[r].tokensPerSecond / b[r].tokensPerSecond;
            }
            return out;
        }

        /** ms of CPU per segment over all rounds: this JVM's, plus the memory service's when {@code withMemory}. */
        static double cpuPerSegment(Round[] rounds, boolean withMemory) {
            double cpu = total(rounds, x -> x.ownCpu) + (withMemory ? total(rounds, x -> x.memoryCpu) : 0);
            return cpu / total(rounds, x -> x.segments) / 1e6;
        }

        /** Mean wall-clock ms per segment over all rounds. */
        static double msPerSegment(Round[] rounds) {
            return total(rounds, x -> x.nanos) / total(rounds, x -> x.segments) / 1e6;
        }

        /** Mean ms of Server-Timing step {@code step} per segment over all rounds. */
        static double stepPerSegment(Round[] rounds, String step) {
            return total(rounds, x -> x.steps.getOrDefault(step, 0.0)) / total(rounds, x -> x.segments);
        }
    }

    /** Consecutive segments of one document from {@code offset}, state in process. */
    static Round bareRound(ServiceUnderTest service, SegmentModel model, byte[] text, int length, int offset,
                           double seconds) {
        DocumentState state = model.initialState(1);
        long own = BenchModels.ownCpuNanos();
        long memory = service.memoryCpuNanos();
        long segments = 0;
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        do {
            // Fetching what the service's segments fetch: token_nll, hidden states and state.
            state = model.run(List.of(new SegmentInput(ZooThroughput.segment(text, offset + (int) (segments * length), length),
                    state)), SegmentModel.Fetch.TOKEN_NLL).get(0).next();
            segments++;
        } while (System.nanoTime() < deadline);
        long elapsed = System.nanoTime() - start;
        return new Round(segments * length / (elapsed / 1e9), segments, elapsed, BenchModels.ownCpuNanos() - own,
                service.memoryCpuNanos() - memory, Map.of());
    }

    /** The same through the service: a new document, segments 0, 1, ... posted one after another. */
    static Round serviceRound(ServiceUnderTest service, int instance, SegmentModel model, byte[] text, int length,
                              int offset, double seconds) {
        String document = "svo-" + model.id() + "-" + length + "-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Double> steps = new LinkedHashMap<>();
        long own = BenchModels.ownCpuNanos();
        long memory = service.memoryCpuNanos();
        long segments = 0;
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        for (; segments == 0 || System.nanoTime() < deadline; segments++) {
            int at = offset + (int) (segments * length);
            String timing = service.post(instance, document, segments, model.id(), ZooThroughput.segment(text, at, length),
                    text[(at + length) % text.length] & 0xFF);
            ServiceUnderTest.addSteps(steps, timing);
        }
        long elapsed = System.nanoTime() - start;
        return new Round(segments * length / (elapsed / 1e9), segments, elapsed, BenchModels.ownCpuNanos() - own,
                service.memoryCpuNanos() - memory, steps);
    }

    /** One Markdown row: the mean of each Server-Timing step of the service's rounds, and the bare run beside them. */
    static String breakdown(String id, int length, Round[] service, Round[] bare, int checkpointBytes) {
        double client = Round.msPerSegment(service);
        StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %s | %d | %.2f |", id, length, client));
        for (String step : STEPS) {
            row.append(String.format(Locale.ROOT, " %.2f |", Round.stepPerSegment(service, step)));
        }
        return row.append(String.format(Locale.ROOT, " %.2f | %.2f | %,d |", client - Round.stepPerSegment(service, "total"),
                Round.msPerSegment(bare), checkpointBytes)).toString();
    }

    /** The size of a checkpoint of {@code model} after one segment of {@code length} tokens. */
    static int checkpointBytes(SegmentModel model, byte[] text, int length) {
        DocumentState next = model.run(ZooThroughput.segment(text, 0, length), model.initialState(1)).next();
        return Checkpoints.encode(model, new CheckpointId(ServiceUnderTest.TENANT, "size", 0), next).length;
    }

    private static String list(double[] values) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            out.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", values[i]));
        }
        return out.toString();
    }

    private ServiceVsOrt() {
    }
}
