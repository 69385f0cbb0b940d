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
        double warmUpSeconds = args.length > 7 ? Double.parseDouble(args[7]) : 30;

        System.out.printf(Locale.ROOT, "ONNX Runtime Java, %d intra-op threads, 1 inter-op thread, %d cores; "
                        + "%.1f s per round, %d rounds per side, bare and service alternating; median of the rounds%n%n",
                threads, Runtime.getRuntime().availableProcessors(), seconds, rounds);
        System.out.printf(Locale.ROOT, "Warm-up first: %.0f s of segments through the service and the bare loop (both JVMs'"
                + " JIT compilers reach their steady state only after a few thousand requests).%n%n", warmUpSeconds);
        List<String> breakdown = new ArrayList<>();
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, models.get(0), threads, Map.of());
             OrtSession.SessionOptions options = BenchModels.options(threads)) {
            JsonMapper json = service.bean(JsonMapper.class);
            warmUp(service, dir.resolve(models.get(0)), options, text, lengths[0], warmUpSeconds);
            System.out.println("| model | seg | bare ORT (tokens/s) | service (tokens/s) | service / bare | rounds (service / bare) |");
            System.out.println("|---|---:|---:|---:|---:|---|");
            for (String id : models) {
                try (SegmentModel model = SegmentModel.load(dir.resolve(id), options)) {
                    for (int length : lengths) {
                        serviceRound(service, model, text, length, 0, 1.0); // this model and length
                        bareRound(model, text, length, 0, 1.0);
                        double[] bare = new double[rounds];
                        double[] through = new double[rounds];
                        StringBuilder each = new StringBuilder();
                        for (int r = 0; r < rounds; r++) {
                            int offset = 10_000 + r * 100_003;
                            bare[r] = bareRound(model, text, length, offset, seconds);
                            through[r] = serviceRound(service, model, text, length, offset, seconds);
                            each.append(r == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", through[r] / bare[r]));
                        }
                        double b = BenchModels.median(bare);
                        double s = BenchModels.median(through);
                        System.out.printf(Locale.ROOT, "| %s | %d | %,.0f | %,.0f | %.2f | %s |%n", id, length, b, s, s / b, each);
                        breakdown.add(breakdown(service, json, model, text, length, 1e9 * length / s));
                    }
                }
            }
        }
        System.out.println();
        System.out.println("Where a segment's time goes (mean ms per segment; each part timed alone in this JVM):");
        System.out.println();
        System.out.println("| model | seg | service | run | checkpoint encode + decode | memory GET + PUT (HTTP, Redis) "
                + "| JSON request + answer | rest (HTTP to inference, scheduling, readouts) | checkpoint bytes |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
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
                serviceRound(service, model, text, length, 0, 2.0);
                bareRound(model, text, length, 0, 0.2);
            }
        }
    }

    /** Consecutive segments of one document from {@code offset}, state in process; tokens/s. */
    static double bareRound(SegmentModel model, byte[] text, int length, int offset, double seconds) {
        DocumentState state = model.initialState(1);
        long tokens = 0;
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        do {
            state = model.run(ZooThroughput.segment(text, offset + (int) tokens, length), state).next();
            tokens += length;
        } while (System.nanoTime() < deadline);
        return tokens / ((System.nanoTime() - start) / 1e9);
    }

    /** The same through the service: a new document, segments 0, 1, ... posted one after another; tokens/s. */
    static double serviceRound(ServiceUnderTest service, SegmentModel model, byte[] text, int length, int offset,
                               double seconds) {
        String document = "svo-" + model.id() + "-" + length + "-" + UUID.randomUUID().toString().substring(0, 8);
        long tokens = 0;
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        for (long n = 0; n == 0 || System.nanoTime() < deadline; n++) {
            long[] segment = ZooThroughput.segment(text, offset + (int) tokens, length);
            service.post(document, n, model.id(), segment, text[(offset + (int) tokens + length) % text.length] & 0xFF);
            tokens += length;
        }
        return tokens / ((System.nanoTime() - start) / 1e9);
    }

    /** One Markdown row: each part of a segment's path timed on its own over the same segments. */
    static String breakdown(ServiceUnderTest service, JsonMapper json, SegmentModel model, byte[] text, int length,
                            double serviceNanos) throws IOException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String document = "parts-" + UUID.randomUUID().toString().substring(0, 8);
        int segments = (int) Math.max(20, Math.min(200, 2e9 / serviceNanos));
        long run = 0;
        long codec = 0;
        long memory = 0;
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
            if (n > 0) {
                send(http, HttpRequest.newBuilder(checkpointUri(service, document, n - 1)).GET());
            }
            send(http, HttpRequest.newBuilder(checkpointUri(service, document, n))
                    .header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(checkpoint)));
            long t5 = System.nanoTime();
            int hidden = Math.toIntExact(out.lastHiddenState().shape()[2]);
            json.writeValueAsBytes(new SegmentResponse(document, n, model.id(), out.next().tokens(),
                    List.of(new float[hidden]), new double[length]));
            long t6 = System.nanoTime();
            if (n >= 3) {
                jsonNanos += (t1 - t0) + (t6 - t5);
                codec += (t2 - t1) + (t4 - t3);
                run += t3 - t2;
                memory += t5 - t4;
            }
            previous = checkpoint;
            bytes = checkpoint.length;
        }
        double k = (segments - 3) * 1e6;
        double rest = serviceNanos / 1e6 - (run + codec + memory + jsonNanos) / k;
        return String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %,d |", model.id(),
                length, serviceNanos / 1e6, run / k, codec / k, memory / k, jsonNanos / k, rest, bytes);
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
