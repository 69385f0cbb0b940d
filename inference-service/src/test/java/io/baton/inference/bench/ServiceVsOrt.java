package io.baton.inference.bench;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.baton.inference.models.DocumentState;
import io.baton.inference.models.SegmentModel;
import io.baton.inference.models.SegmentOutput;
import io.baton.inference.segments.SegmentRequest;
import io.baton.inference.segments.SegmentResponse;
import io.baton.inference.state.CheckpointId;
import io.baton.inference.state.Checkpoints;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.json.JsonMapper;

/**
 * Segment tokens/s through the whole service path (HTTP {@code POST /v1/segments}: load
 * checkpoint n-1 from the memory service, run, store checkpoint n) against a bare ONNX Runtime
 * loop over the same model and segments ({@link SegmentModel#run} with the state kept in this
 * process), interleaved round by round in one run. Then, per cell, where a segment's time goes:
 * the run, the checkpoint encode and decode, the memory service round trips (GET n-1 and PUT n
 * over HTTP, Redis behind it) and the JSON of a request and an answer, each timed on its own.
 * Each round also records the CPU time used by this JVM (the service, and the client posting to
 * it) and by the memory service's JVM: on a shared, busy machine the wall-clock ratio swings with
 * the neighbours' load, the CPU spent per segment much less. Redis's own CPU is not counted.
 * A second service instance on the same memory service runs with its state cache off
 * ({@code baton.state-cache.max-bytes=0}: every segment reads checkpoint n-1 back, as before the
 * cache), in the same turns.
 *
 * <p>Arguments: {@code modelsDir models textFile lengths seconds rounds threads}, e.g.
 * {@code models/zoo gemma2-tiny,jamba-tiny text.txt 64,256 2.0 3 2}. One document per round,
 * processed segment by segment from the first; the service gets a new document each round.
 */
public final class ServiceVsOrt {

    public static void main(String[] args) throws IOException, OrtException {
        Path dir = Path.of(args[0]);
        List<String> models = List.of(args[1].split(","));
        byte[] text = Files.readAllBytes(Path.of(args[2]));
        int[] lengths = Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray();
        double seconds = Double.parseDouble(args[4]);
        int rounds = Integer.parseInt(args[5]);
        int threads = Integer.parseInt(args[6]);
        double warmUpSeconds = args.length > 7 ? Double.parseDouble(args[7]) : 150;

        System.out.printf(Locale.ROOT, "ONNX Runtime Java, %d intra-op threads, 1 inter-op thread, %d cores; "
                        + "%.1f s per round, %d rounds per side, bare and service alternating; median of the rounds%n%n",
                threads, Runtime.getRuntime().availableProcessors(), seconds, rounds);
        System.out.printf(Locale.ROOT, "Warm-up first: %.0f s of segments through the service and the bare loop (both JVMs'"
                + " JIT compilers settle only after ~10,000 requests, about two minutes on this machine).%n%n", warmUpSeconds);
        List<String> breakdown = new ArrayList<>();
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, models.get(0), threads, Map.of());
             OrtSession.SessionOptions options = BenchModels.options(threads)) {
            JsonMapper json = service.bean(JsonMapper.class);
            warmUp(service, dir.resolve(models.get(0)), options, text, lengths[0], warmUpSeconds);
            int uncached = service.addInstance(Map.of("baton.state-cache.max-bytes", "0"));
            System.out.println("| model | seg | bare ORT (tokens/s) | service (tokens/s) | service / bare "
                    + "| service, state cache off (tokens/s) | cache off / bare | rounds: service / bare; cache off / bare "
                    + "| CPU ms per segment: bare | service (inference + memory JVM) | service, cache off |");
            System.out.println("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|");
            for (String id : models) {
                try (SegmentModel model = SegmentModel.load(dir.resolve(id), options)) {
                    for (int length : lengths) {
                        serviceRound(service, 0, model, text, length, 0, 1.0); // this model and length
                        serviceRound(service, uncached, model, text, length, 0, 1.0);
                        bareRound(service, model, text, length, 0, 1.0);
                        Round[] bare = new Round[rounds];
                        Round[] cached = new Round[rounds];
                        Round[] off = new Round[rounds];
                        double[] cachedRatio = new double[rounds];
                        double[] offRatio = new double[rounds];
                        StringBuilder each = new StringBuilder();
                        StringBuilder eachOff = new StringBuilder();
                        for (int r = 0; r < rounds; r++) {
                            int offset = 10_000 + r * 100_003;
                            bare[r] = bareRound(service, model, text, length, offset, seconds);
                            cached[r] = serviceRound(service, 0, model, text, length, offset, seconds);
                            off[r] = serviceRound(service, uncached, model, text, length, offset, seconds);
                            cachedRatio[r] = cached[r].tokensPerSecond / bare[r].tokensPerSecond;
                            offRatio[r] = off[r].tokensPerSecond / bare[r].tokensPerSecond;
                            each.append(r == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", cachedRatio[r]));
                            eachOff.append(r == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", offRatio[r]));
                        }
                        double s = Round.median(cached, x -> x.tokensPerSecond);
                        System.out.printf(Locale.ROOT, "| %s | %d | %,.0f | %,.0f | %.2f | %,.0f | %.2f | %s; %s | %.2f | %.2f | %.2f |%n",
                                id, length, Round.median(bare, x -> x.tokensPerSecond), s, BenchModels.median(cachedRatio),
                                Round.median(off, x -> x.tokensPerSecond), BenchModels.median(offRatio), each, eachOff,
                                Round.cpuPerSegment(bare, false), Round.cpuPerSegment(cached, true),
                                Round.cpuPerSegment(off, true));
                        breakdown.add(breakdown(service, json, model, text, length, 1e9 * length / s));
                    }
                }
            }
        }
        System.out.println();
        System.out.println("Where a segment's time goes (mean ms per segment; each part timed alone in this JVM):");
        System.out.println();
        System.out.println("| model | seg | service | run | checkpoint encode | checkpoint decode (cache off) "
                + "| memory PUT n (HTTP, Redis) | memory GET n-1 (cache off) | JSON request + answer "
                + "| rest (HTTP to inference, scheduling, readouts) | checkpoint bytes |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        breakdown.forEach(System.out::println);
    }

    /**
     * Segments through the service and the bare loop for about {@code seconds}, so that both JVMs
     * (this one and the memory service's) have compiled their hot paths before anything is timed.
     */
    static void warmUp(ServiceUnderTest service, Path folder, OrtSession.SessionOptions options, byte[] text,
                       int length, double seconds) {
        try (SegmentModel model = SegmentModel.load(folder, options)) {
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                serviceRound(service, 0, model, text, length, 0, 2.0);
                bareRound(service, model, text, length, 0, 0.2);
            }
        }
    }

    /** One timed round: tokens/s, segments, and the CPU time this JVM and the memory service's used. */
    record Round(double tokensPerSecond, long segments, long ownCpu, long memoryCpu) {

        static double median(Round[] rounds, java.util.function.ToDoubleFunction<Round> value) {
            return BenchModels.median(Arrays.stream(rounds).mapToDouble(value).toArray());
        }

        static double total(Round[] rounds, java.util.function.ToDoubleFunction<Round> value) {
            return Arrays.stream(rounds).mapToDouble(value).sum();
        }

        /** ms of CPU per segment over all rounds: this JVM's, plus the memory service's when {@code withMemory}. */
        static double cpuPerSegment(Round[] rounds, boolean withMemory) {
            double cpu = total(rounds, x -> x.ownCpu) + (withMemory ? total(rounds, x -> x.memoryCpu) : 0);
            return cpu / total(rounds, x -> x.segments) / 1e6;
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
            state = model.run(ZooThroughput.segment(text, offset + (int) (segments * length), length), state).next();
            segments++;
        } while (System.nanoTime() < deadline);
        double elapsed = (System.nanoTime() - start) / 1e9;
        return new Round(segments * length / elapsed, segments, BenchModels.ownCpuNanos() - own,
                service.memoryCpuNanos() - memory);
    }

    /** The same through the service: a new document, segments 0, 1, ... posted one after another. */
    static Round serviceRound(ServiceUnderTest service, int instance, SegmentModel model, byte[] text, int length,
                              int offset, double seconds) {
        String document = "svo-" + model.id() + "-" + length + "-" + UUID.randomUUID().toString().substring(0, 8);
        long own = BenchModels.ownCpuNanos();
        long memory = service.memoryCpuNanos();
        long segments = 0;
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        for (; segments == 0 || System.nanoTime() < deadline; segments++) {
            int at = offset + (int) (segments * length);
            service.post(instance, document, segments, model.id(), ZooThroughput.segment(text, at, length),
                    text[(at + length) % text.length] & 0xFF);
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        return new Round(segments * length / elapsed, segments, BenchModels.ownCpuNanos() - own,
                service.memoryCpuNanos() - memory);
    }

    /** One Markdown row: each part of a segment's path timed on its own over the same segments. */
    static String breakdown(ServiceUnderTest service, JsonMapper json, SegmentModel model, byte[] text, int length,
                            double serviceNanos) throws IOException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String document = "parts-" + UUID.randomUUID().toString().substring(0, 8);
        int segments = (int) Math.max(20, Math.min(200, 2e9 / serviceNanos));
        long run = 0;
        long encode = 0;
        long decode = 0;
        long put = 0;
        long get = 0;
        long jsonNanos = 0;
        int bytes = 0;
        DocumentState state = model.initialState(1);
        byte[] previous = null;
        for (int n = 0; n < segments; n++) {
            long[] tokens = ZooThroughput.segment(text, 20_000 + n * length, length);
            long t0 = System.nanoTime();
            String body = json.writeValueAsString(new SegmentRequest(document, (long) n, model.id(), tokens,
                    List.of(new int[] {0, length}), 65L));
            SegmentRequest request = json.readValue(body, SegmentRequest.class);
            long t1 = System.nanoTime();
            DocumentState in = previous == null ? state : Checkpoints.decode(model, previous);
            long t2 = System.nanoTime();
            SegmentOutput out = model.run(request.tokens(), in);
            long t3 = System.nanoTime();
            byte[] checkpoint = Checkpoints.encode(model, new CheckpointId(ServiceUnderTest.TENANT, document, n), out.next());
            long t4 = System.nanoTime();
            send(http, HttpRequest.newBuilder(checkpointUri(service, document, n))
                    .header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(checkpoint)));
            long t45 = System.nanoTime();
            send(http, HttpRequest.newBuilder(checkpointUri(service, document, n)).GET());
            long t5 = System.nanoTime();
            int hidden = Math.toIntExact(out.lastHiddenState().shape()[2]);
            json.writeValueAsBytes(new SegmentResponse(document, n, model.id(), out.next().tokens(),
                    List.of(new float[hidden]), new double[length]));
            long t6 = System.nanoTime();
            if (n >= 3) {
                jsonNanos += (t1 - t0) + (t6 - t5);
                decode += t2 - t1;
                encode += t4 - t3;
                run += t3 - t2;
                put += t45 - t4;
                get += t5 - t45;
            }
            previous = checkpoint;
            bytes = checkpoint.length;
        }
        double k = (segments - 3) * 1e6;
        double rest = serviceNanos / 1e6 - (run + encode + put + jsonNanos) / k;
        return String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %,d |",
                model.id(), length, serviceNanos / 1e6, run / k, encode / k, decode / k, put / k, get / k, jsonNanos / k,
                rest, bytes);
    }

    private static URI checkpointUri(ServiceUnderTest service, String document, long n) {
        return URI.create(service.memoryUrl() + "/v1/documents/" + document + "/checkpoints/" + n);
    }

    private static void send(HttpClient http, HttpRequest.Builder request) throws IOException {
        try {
            HttpResponse<byte[]> response = http.send(request.header("X-Baton-Tenant", ServiceUnderTest.TENANT).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException("memory service answered " + response.statusCode());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private ServiceVsOrt() {
    }
}
