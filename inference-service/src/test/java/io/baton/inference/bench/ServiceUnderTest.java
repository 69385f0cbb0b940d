package io.baton.inference.bench;

import io.baton.inference.segments.SegmentTimings;
import io.baton.inference.testing.InferenceServer;
import io.baton.inference.testing.MemoryServiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The whole distributed path for a benchmark: the real memory service as a separate JVM on Redis,
 * an inference-service instance in this JVM, and a plain HTTP/1.1 client that posts segments the
 * way a gateway would (a JSON body written by hand, the answer's status checked, the body not
 * parsed, so the client's own work stays small next to the service's).
 */
final class ServiceUnderTest implements AutoCloseable {

    static final String TENANT = "bench";

    private final MemoryServiceProcess memory;
    private final Map<String, String> settings;
    private final List<InferenceServer> servers = new ArrayList<>();
    private final List<URI> segments = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private ServiceUnderTest(MemoryServiceProcess memory, Map<String, String> settings) {
        this.memory = memory;
        this.settings = settings;
    }

    /**
     * Starts the memory service on {@code BATON_TEST_REDIS_URL} (default
     * {@code redis://127.0.0.1:6379}) and an inference service over {@code modelsDir} whose ONNX
     * Runtime sessions use {@code threads} intra-op threads and one inter-op thread, plus any
     * further {@code settings}.
     */
    static ServiceUnderTest start(Path modelsDir, String defaultModel, int threads, Map<String, String> settings) {
        String redis = System.getenv().getOrDefault("BATON_TEST_REDIS_URL", "redis://127.0.0.1:6379");
        MemoryServiceProcess memory = MemoryServiceProcess.start(MemoryServiceProcess.freePort(), redis);
        try {
            Map<String, String> all = new LinkedHashMap<>();
            all.put("baton.memory.url", memory.baseUrl());
            all.put("baton.models.dir", modelsDir.toAbsolutePath().toString());
            all.put("baton.models.default-model", defaultModel);
            all.put("baton.onnx.intra-op-threads", Integer.toString(threads));
            all.put("baton.onnx.inter-op-threads", "1");
            all.put("logging.level.root", "warn");
            all.putAll(settings);
            ServiceUnderTest service = new ServiceUnderTest(memory, all);
            service.addInstance(Map.of());
            return service;
        } catch (RuntimeException e) {
            memory.close();
            throw e;
        }
    }

    /**
     * Starts one more inference-service instance on the same memory service, with {@code
     * overrides} on top of the first one's settings; returns its index for {@link #post}.
     */
    int addInstance(Map<String, String> overrides) {
        Map<String, String> all = new LinkedHashMap<>(settings);
        all.putAll(overrides);
        InferenceServer server = InferenceServer.start(all);
        servers.add(server);
        segments.add(URI.create(server.baseUrl() + "/v1/segments"));
        return servers.size() - 1;
    }

    /** CPU time the memory service's JVM has used so far, in ns (10 ms resolution on Linux). */
    long memoryCpuNanos() {
        return BenchModels.cpuNanos(memory.process());
    }

    String memoryUrl() {
        return memory.baseUrl();
    }

    /** A bean of the first instance. */
    <T> T bean(Class<T> type) {
        return servers.get(0).bean(type);
    }

    /** Posts segment {@code n} of {@code document} to the first instance (see {@link #post(int, String, long, String, long[], long)}). */
    String post(String document, long n, String model, long[] tokens, long next) {
        return post(0, document, n, model, tokens, next);
    }

    /**
     * Posts segment {@code n} of {@code document} to instance {@code instance}; {@code next} is
     * the first token of the following segment (scored too). Fails unless the service answers 200;
     * returns the answer's {@code Server-Timing} header.
     */
    String post(int instance, String document, long n, String model, long[] tokens, long next) {
        try {
            return postAsync(instance, document, n, model, tokens, next).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        }
    }

    /** {@link #post} without waiting for the answer: its {@code Server-Timing} header once it comes. */
    CompletableFuture<String> postAsync(int instance, String document, long n, String model, long[] tokens, long next) {
        StringBuilder body = new StringBuilder(tokens.length * 4 + 160);
        body.append("{\"document\":\"").append(document).append("\",\"segment\":").append(n)
                .append(",\"model\":\"").append(model).append("\",\"tokens\":[");
        for (int i = 0; i < tokens.length; i++) {
            body.append(i == 0 ? "" : ",").append(tokens[i]);
        }
        body.append("],\"sentences\":[[0,").append(tokens.length).append("]],\"nextToken\":").append(next).append('}');
        HttpRequest request = HttpRequest.newBuilder(segments.get(instance)).timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/json").header("X-Baton-Tenant", TENANT)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException("segment " + n + " of " + document + " answered "
                        + response.statusCode() + ": " + response.body());
            }
            return response.headers().firstValue("Server-Timing").orElseThrow(
                    () -> new IllegalStateException("segment " + n + " of " + document + " has no Server-Timing header"));
        });
    }

    /** Adds each step of a {@code Server-Timing} header ({@code name;dur=ms, ...}) to {@code sums}, in ms. */
    static void addSteps(Map<String, Double> sums, String serverTiming) {
        SegmentTimings.parse(serverTiming).forEach((step, ms) -> sums.merge(step, ms, Double::sum));
    }

    @Override
    public void close() {
        try {
            servers.forEach(InferenceServer::close);
        } finally {
            memory.close();
        }
    }
}
