package io.baton.inference.bench;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.baton.common.testing.Meters;
import io.baton.inference.models.ModelRegistry;
import io.baton.inference.models.SegmentModel;
import io.baton.inference.segments.SegmentBatcher;
import io.baton.inference.segments.SegmentRunners;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Tokens/s through the service with N documents at once, each posting its segments one after
 * another (HTTP, memory service on Redis), so the batcher can put up to N segments in one run;
 * beside it, in turns, a bare ONNX Runtime loop running the same N documents as batches of N
 * ({@link BatchThroughput}). The batches the service actually formed are read from its {@link
 * SegmentBatcher} ({@code segmentsRun / batchesRun}).
 *
 * <p>The service and the bare loop run on the execution provider named by the system property
 * {@code baton.bench.provider} ({@code cpu} by default; {@code cuda} on a GPU machine).
 *
 * <p>Arguments: {@code modelsDir model textFile length seconds documents rounds threads maxBatch
 * [warmUpModel warmUpSeconds [maxWait]]}, e.g. {@code bench/out/models jamba-bench text.txt 256 30 1,4,16 2 2 8
 * gemma2-tiny 120}: first the service's and the memory service's JIT compilers are warmed up with
 * a small model's segments (thousands of requests), then the cells run.
 *
 * <p>System property {@code baton.bench.pipeline} (default {@code 1}) lists how many segments each
 * document keeps in flight, e.g. {@code 1,2}: with 2 a document sends segment n+1 as soon as n is
 * sent and n+2 once n is answered (pipelined segments, docs/reliability.md); the depths run side by
 * side for each N, in turns.
 */
public final class Concurrency {

    public static void main(String[] args) throws IOException, OrtException, InterruptedException, ExecutionException {
        Path dir = Path.of(args[0]);
        String id = args[1];
        byte[] text = Files.readAllBytes(Path.of(args[2]));
        int length = Integer.parseInt(args[3]);
        double seconds = Double.parseDouble(args[4]);
        int[] documents = Arrays.stream(args[5].split(",")).mapToInt(Integer::parseInt).toArray();
        int rounds = Integer.parseInt(args[6]);
        int threads = Integer.parseInt(args[7]);
        int maxBatch = Integer.parseInt(args[8]);
        String warmUpModel = args.length > 9 ? args[9] : id;
        double warmUpSeconds = args.length > 10 ? Double.parseDouble(args[10]) : 0;
        String maxWait = args.length > 11 ? args[11] : "0ms";
        int[] depths = Arrays.stream(System.getProperty("baton.bench.pipeline", "1").split(","))
                .mapToInt(Integer::parseInt).toArray();

        String provider = BenchModels.provider();
        System.out.printf(Locale.ROOT, "%s, segments of %d tokens; ONNX Runtime Java, provider %s (cuDNN convolution search %s), "
                        + "%d intra-op threads, 1 inter-op "
                        + "thread, %d cores; service: baton.batching.max-batch=%d, max-wait %s; %.0f s per cell, %d rounds, "
                        + "bare and service alternating; first %.0f s of %s segments through the service to warm it up%n%n",
                id, length, provider, BenchModels.convolutionSearch(), threads, Runtime.getRuntime().availableProcessors(),
                maxBatch, maxWait, seconds, rounds, warmUpSeconds, warmUpModel);
        System.out.println("| documents | segments in flight per document | round | bare ORT, batch min(N, max-batch) (tokens/s) | service (tokens/s) | service / bare "
                + "| segments per batch in the service | mean segment latency (ms) | in the service (Server-Timing, mean ms): "
                + "state | queue | run | predecessor | store | readout | total | state into / out of the runtime per segment (KB) "
                + "| a checkpoint put, mean ms: as the inference service's client sees it / the memory service's "
                + "handling / of it, its store call | the memory service's looks at a head per put |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, id, threads,
                Map.of("baton.batching.max-batch", Integer.toString(maxBatch), "baton.batching.max-wait", maxWait,
                        "baton.onnx.provider", provider, "baton.onnx.cuda-conv-algo-search", BenchModels.convolutionSearch()));
             OrtSession.SessionOptions options = BenchModels.options(threads, false, provider);
             SegmentModel model = SegmentModel.load(dir.resolve(id), options)) {
            SegmentBatcher batcher = service.bean(SegmentBatcher.class);
            SegmentModel served = service.bean(ModelRegistry.class).get(id);
            System.out.println("(the service's " + id + ": " + service.bean(SegmentRunners.class).describe(served) + ")");
            System.out.println();
            serve(service, batcher, warmUpModel, text, 64, 1, warmUpSeconds); // both JVMs' JIT compilers
            serve(service, batcher, id, text, length, 1, seconds / 3);
            for (int round = 1; round <= rounds; round++) {
                for (int n : documents) {
                    double bare = BatchThroughput.tokensPerSecond(model, text, length, Math.min(n, maxBatch), seconds,
                            new double[1]);
                    for (int depth : depths) {
                        double[] movedBefore = stateMoved(service);
                        PutTimes putsBefore = PutTimes.of(service);
                        Cell cell = serve(service, batcher, id, text, length, n, seconds, depth);
                        double[] moved = stateMoved(service);
                        PutTimes puts = PutTimes.of(service).since(putsBefore);
                        double segmentsMoved = Math.max(1, moved[2] - movedBefore[2]);
                        StringBuilder steps = new StringBuilder();
                        for (String step : ServiceVsOrt.STEPS) {
                            steps.append(String.format(Locale.ROOT, " %.2f |", cell.steps.getOrDefault(step, 0.0) / cell.segments));
                        }
                        System.out.printf(Locale.ROOT, "| %d | %d | %d | %,.0f | %,.0f | %.2f | %.2f | %.1f |%s %,.0f / %,.0f | %s | %s |%n",
                                n, depth, round, bare, cell.tokensPerSecond, cell.tokensPerSecond / bare, cell.segmentsPerBatch,
                                cell.latency * 1e3, steps, (moved[0] - movedBefore[0]) / segmentsMoved / 1024,
                                (moved[1] - movedBefore[1]) / segmentsMoved / 1024, puts, puts.looksPerPut());
                    }
                }
            }
        }
    }

    /** The service's {@code baton.inference.state.moved} so far: bytes in, bytes out, segments. */
    static double[] stateMoved(ServiceUnderTest service) {
        MeterRegistry registry = service.bean(MeterRegistry.class);
        DistributionSummary in = registry.get("baton.inference.state.moved").tag("direction", "in").summary();
        DistributionSummary out = registry.get("baton.inference.state.moved").tag("direction", "out").summary();
        return new double[] {in.totalAmount(), out.totalAmount(), in.count()};
    }

    /**
     * The checkpoint puts so far, each as a (seconds, count) pair: the inference service's client timer
     * ({@code http.client.requests}, method PUT: from sending to the answer), and from the memory service's
     * {@code /actuator/prometheus} its server timer of PUTs ({@code http.server.requests}) and its store's
     * ({@code baton.state.store.duration}, operation write: the Redis commands), and its looks at a
     * head (operation head: a put ahead's, while it waits for its parent, and any GET of a head); a
     * cell's means are the differences of two snapshots ({@link #since}).
     */
    record PutTimes(double[] client, double[] server, double[] store, double[] heads) {

        static PutTimes of(ServiceUnderTest service) {
            double[] client = new double[2];
            for (Timer timer : service.bean(MeterRegistry.class).find("http.client.requests").tag("method", "PUT").timers()) {
                client[0] += timer.totalTime(TimeUnit.SECONDS);
                client[1] += timer.count();
            }
            Meters memory = Meters.scrape(service.memoryUrl());
            return new PutTimes(client,
                    sumAndCount(memory, "http_server_requests_seconds", "method", "PUT"),
                    sumAndCount(memory, "baton_state_store_duration_seconds", "operation", "write"),
                    sumAndCount(memory, "baton_state_store_duration_seconds", "operation", "head"));
        }

        private static double[] sumAndCount(Meters memory, String timer, String... labels) {
            return new double[] {memory.value(timer + "_sum", labels), memory.value(timer + "_count", labels)};
        }

        PutTimes since(PutTimes before) {
            return new PutTimes(minus(client, before.client), minus(server, before.server), minus(store, before.store),
                    minus(heads, before.heads));
        }

        /** The memory service's looks at a head per checkpoint put. */
        String looksPerPut() {
            return server[1] > 0 ? String.format(Locale.ROOT, "%.2f", heads[1] / server[1]) : "-";
        }

        private static double[] minus(double[] a, double[] b) {
            return new double[] {a[0] - b[0], a[1] - b[1]};
        }

        private static String mean(double[] sumAndCount) {
            return sumAndCount[1] > 0 ? String.format(Locale.ROOT, "%.2f", sumAndCount[0] / sumAndCount[1] * 1e3) : "-";
        }

        @Override
        public String toString() {
            return mean(client) + " / " + mean(server) + " / " + mean(store);
        }
    }

    /** A cell's tokens/s, segments per batch formed, mean latency (s), and Server-Timing steps summed over its segments. */
    record Cell(double tokensPerSecond, double segmentsPerBatch, double latency, long segments, Map<String, Double> steps) {
    }

    /**
     * N documents posting segments for about {@code seconds}, one at a time each; every document
     * finishes the segment it has in flight, and the time runs until the last one is done.
     */
    static Cell serve(ServiceUnderTest service, SegmentBatcher batcher, String model, byte[] text, int length, int n,
                      double seconds) throws InterruptedException, ExecutionException {
        return serve(service, batcher, model, text, length, n, seconds, 1);
    }

    /**
     * The same with up to {@code depth} segments of each document in flight: segment n + depth - 1
     * is sent once n - 1 is answered. The latency is a segment's, from its sending to its answer.
     */
    static Cell serve(ServiceUnderTest service, SegmentBatcher batcher, String model, byte[] text, int length, int n,
                      double seconds, int depth) throws InterruptedException, ExecutionException {
        long batches = batcher.batchesRun();
        long segments = batcher.segmentsRun();
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            long start = System.nanoTime();
            long deadline = start + (long) (seconds * 1e9);
            List<Future<long[]>> done = new ArrayList<>();
            Map<String, Double> steps = new ConcurrentHashMap<>();
            for (int d = 0; d < n; d++) {
                int first = BatchThroughput.documentStart(d);
                String document = "conc-" + n + "-" + d + "-" + UUID.randomUUID().toString().substring(0, 8);
                done.add(pool.submit(() -> {
                    ArrayDeque<CompletableFuture<String>> inFlight = new ArrayDeque<>();
                    ArrayDeque<Long> sent = new ArrayDeque<>();
                    long count = 0;
                    long busy = 0;
                    while (count == 0 || System.nanoTime() < deadline) {
                        while (inFlight.size() < depth) {
                            int at = first + (int) (count * length);
                            sent.add(System.nanoTime());
                            inFlight.add(service.postAsync(0, document, count, model, ZooThroughput.segment(text, at, length),
                                    text[(at + length) % text.length] & 0xFF));
                            count++;
                        }
                        ServiceUnderTest.addSteps(steps, inFlight.remove().join());
                        busy += System.nanoTime() - sent.remove();
                    }
                    while (!inFlight.isEmpty()) {
                        ServiceUnderTest.addSteps(steps, inFlight.remove().join());
                        busy += System.nanoTime() - sent.remove();
                    }
                    return new long[] {count, busy};
                }));
            }
            long posted = 0;
            long busy = 0;
            for (Future<long[]> f : done) {
                posted += f.get()[0];
                busy += f.get()[1];
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            double perBatch = (double) (batcher.segmentsRun() - segments) / (batcher.batchesRun() - batches);
            return new Cell(posted * length / elapsed, perBatch, busy / 1e9 / posted, posted, steps);
        } finally {
            pool.shutdownNow();
        }
    }

    private Concurrency() {
    }
}
