package io.baton.bench;

import io.baton.common.testing.ServiceJar;
import io.baton.gateway.GatewayProperties;
import io.baton.protocol.access.ServiceToken;
import io.baton.protocol.client.ClientSettings;
import io.baton.protocol.inference.HttpInferenceClient;
import io.baton.protocol.inference.InferenceClient;
import io.baton.gateway.segmenting.Cut;
import io.baton.gateway.segmenting.ModelTokenizers;
import io.baton.gateway.segmenting.Segment;
import io.baton.gateway.segmenting.Segmenter;
import io.baton.gateway.summarize.SummaryEvent;
import io.baton.gateway.summarize.SummaryRequest;
import io.baton.gateway.summarize.SummaryService;
import io.baton.protocol.inference.SegmentRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * End-to-end tokens/s of a summary against inference alone, standalone and distributed, in turns
 * in one run, over the same document and model:
 *
 * <ul>
 *   <li><b>standalone summary</b>: {@code SummaryService.summarize} in this JVM, as {@code ./baton
 *       summarize} runs it (gateway, inference and memory code in one JVM, in-memory store);
 *   <li><b>standalone inference alone</b>: the document's segments (cut once beforehand, the same
 *       segments the gateway cuts) through the same application's in-process inference client
 *       ({@code SegmentService}), one after another;
 *   <li><b>distributed summary</b>: {@code POST /v1/summaries} to the gateway jar, which calls the
 *       inference jar over HTTP, which keeps checkpoints in the memory jar on Redis; three JVMs
 *       besides this one;
 *   <li><b>distributed inference alone</b>: the same segments posted to the inference jar with
 *       the gateway's own HTTP client ({@link HttpInferenceClient}), one after another.
 * </ul>
 *
 * The summary variants include everything a user waits for (reading the request, tokenising,
 * segmenting, selecting sentences; over HTTP also the JSON of a document-sized body); inference
 * alone is what the gateway adds its work to. Each round runs the four in an order rotated by
 * one per round; a warm-up of whole rounds comes first. CPU time is that of this JVM plus the
 * three service JVMs (Redis not counted) per variant.
 *
 * <p>Arguments: {@code textFile tokens model rounds warmUpSeconds}; Redis from {@code
 * BATON_TEST_REDIS_URL} (default {@code redis://127.0.0.1:6379}); jars under the working
 * directory's {@code *-service/target}.
 */
public final class EndToEnd {

    private static final String TENANT = "bench";
    private static final String[] NAMES = {"standalone summary", "standalone inference alone",
            "distributed summary", "distributed inference alone"};

    public static void main(String[] args) throws Exception {
        String text = BenchSupport.prefix(BenchSupport.read(Path.of(args[0])), Long.parseLong(args[1]));
        String model = args[2];
        int rounds = Integer.parseInt(args[3]);
        double warmUp = Double.parseDouble(args[4]);
        String redis = System.getenv().getOrDefault("BATON_TEST_REDIS_URL", "redis://127.0.0.1:6379");
        Path zoo = Path.of("models", "zoo").toAbsolutePath();
        JsonMapper json = JsonMapper.builder().build();

        // As deployed: memory and inference require the service token, inference and the gateway send it.
        String token = UUID.randomUUID().toString().replace("-", "");
        try (ServiceJar memory = ServiceJar.start("memory-service",
                Path.of("memory-service/target/memory-service.jar"), "512m", ServiceJar.freePort(),
                Map.of("BATON_REDIS_URL", redis, "BATON_STORE_KIND", "redis", "BATON_SERVICE_TOKEN", token));
             ServiceJar inference = ServiceJar.start("inference-service",
                     Path.of("inference-service/target/inference-service.jar"), "512m", ServiceJar.freePort(),
                     Map.of("BATON_MEMORY_URL", memory.baseUrl(), "BATON_MODELS_DIR", zoo.toString(),
                             "BATON_SERVICE_TOKEN", token));
             ServiceJar gateway = ServiceJar.start("gateway-service",
                     Path.of("gateway-service/target/gateway-service.jar"), "512m", ServiceJar.freePort(),
                     Map.of("BATON_INFERENCE_URL", inference.baseUrl(), "BATON_MEMORY_URL", memory.baseUrl(),
                             "BATON_MODELS_DIR", zoo.toString(), "BATON_ACCESS_OPEN", "true",
                             "BATON_SERVICE_TOKEN", token));
             ConfigurableApplicationContext standalone = BenchSupport.standalone()) {
            SummaryService summaries = standalone.getBean(SummaryService.class);
            InferenceClient inProcess = standalone.getBean(InferenceClient.class);
            InferenceClient overHttp = new HttpInferenceClient(WebClient.builder(),
                    new ClientSettings(inference.baseUrl(), Duration.ofSeconds(60), 3, Duration.ofMillis(200),
                            Duration.ofSeconds(5), null, ServiceToken.of(token)));
            List<Segment> segments = segments(standalone.getBean(ModelTokenizers.class), model, text,
                    standalone.getBean(GatewayProperties.class).segmenting());
            long tokens = segments.stream().mapToLong(Segment::size).sum();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            byte[] body = json.writeValueAsBytes(Map.of("text", text, "model", model));
            URI summariesUri = URI.create(gateway.baseUrl() + "/v1/summaries");
            List<ProcessHandle> services = List.of(memory.process(), inference.process(), gateway.process());

            List<Runnable> variants = List.of(
                    () -> summaries.summarize("bench", new SummaryRequest(text, model, null, null, null)).blockLast(),
                    () -> inferenceAlone(inProcess, model, segments),
                    () -> summaryOverHttp(http, json, summariesUri, body, tokens),
                    () -> inferenceAlone(overHttp, model, segments));

            System.out.printf(Locale.ROOT, "Document: %,d characters, %,d tokens, %d segments of at most %d tokens; model %s; "
                            + "%d cores; %d rounds after %.0f s of warm-up rounds; medians%n%n", text.length(), tokens,
                    segments.size(), standalone.getBean(GatewayProperties.class).segmenting().maxTokens(), model,
                    Runtime.getRuntime().availableProcessors(), rounds, warmUp);
            long warmUpEnd = System.nanoTime() + (long) (warmUp * 1e9);
            int warmUpRounds = 0;
            while (System.nanoTime() < warmUpEnd) {
                variants.forEach(Runnable::run);
                warmUpRounds++;
            }
            System.out.printf(Locale.ROOT, "(%d warm-up rounds)%n%n", warmUpRounds);

            double[][] rates = new double[4][rounds];
            double[][] cpu = new double[4][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < 4; k++) {
                    int v = (k + r) % 4;
                    long cpuBefore = cpuNanos(services);
                    long start = System.nanoTime();
                    variants.get(v).run();
                    double seconds = (System.nanoTime() - start) / 1e9;
                    rates[v][r] = tokens / seconds;
                    cpu[v][r] = (cpuNanos(services) - cpuBefore) / 1e6 / segments.size();
                }
            }
            System.out.println("| variant | tokens/s (median) | rounds (tokens/s) | CPU ms per segment, all JVMs |");
            System.out.println("|---|---:|---|---:|");
            for (int v = 0; v < 4; v++) {
                StringBuilder each = new StringBuilder();
                for (int r = 0; r < rounds; r++) {
                    each.append(r == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%,.0f", rates[v][r]));
                }
                System.out.printf(Locale.ROOT, "| %s | %,.0f | %s | %.2f |%n", NAMES[v], BenchSupport.median(rates[v]),
                        each, BenchSupport.median(cpu[v]));
            }
            System.out.println();
            System.out.println("| ratio | median of the rounds' ratios | rounds |");
            System.out.println("|---|---:|---|");
            ratio("standalone summary / standalone inference alone", rates[0], rates[1]);
            ratio("distributed summary / distributed inference alone", rates[2], rates[3]);
            ratio("distributed summary / standalone summary", rates[2], rates[0]);
            ratio("distributed inference alone / standalone inference alone", rates[3], rates[1]);
        }
    }

    /** The segments the gateway cuts from {@code text}, held (only the benchmark holds them all). */
    static List<Segment> segments(ModelTokenizers tokenizers, String model, String text,
                                  GatewayProperties.Segmenting segmenting) {
        List<Segment> segments = new ArrayList<>();
        Iterator<Segment> it = new Segmenter(tokenizers.tokenizer(model), segmenting.maxTokens(), Cut.named(segmenting.cut()))
                .segments(text);
        it.forEachRemaining(segments::add);
        return segments;
    }

    /** The segments one after another under a fresh document id, as the pipeline sends them. */
    static void inferenceAlone(InferenceClient client, String model, List<Segment> segments) {
        String document = "bench-" + UUID.randomUUID();
        Flux.fromIterable(segments)
                .concatMap(s -> client.process(TENANT, new SegmentRequest(document, s.index(), model, s.tokens(),
                        s.sentenceTokenSpans(), null)))
                .blockLast();
    }

    static void summaryOverHttp(HttpClient http, JsonMapper json, URI uri, byte[] body, long tokens) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("the gateway answered " + response.statusCode() + ": "
                        + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
            }
            JsonNode stats = json.readTree(response.body()).get("stats");
            if (stats.get("tokens").asLong() != tokens) {
                throw new IllegalStateException("the gateway counted " + stats.get("tokens") + " tokens, not " + tokens);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static long cpuNanos(List<ProcessHandle> services) {
        long total = ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
        for (ProcessHandle p : services) {
            total += p.info().totalCpuDuration().orElseThrow().toNanos();
        }
        return total;
    }

    private static void ratio(String name, double[] a, double[] b) {
        double[] ratios = new double[a.length];
        StringBuilder each = new StringBuilder();
        for (int r = 0; r < a.length; r++) {
            ratios[r] = a[r] / b[r];
            each.append(r == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", ratios[r]));
        }
        System.out.printf(Locale.ROOT, "| %s | %.2f | %s |%n", name, BenchSupport.median(ratios), each);
    }

    private EndToEnd() {
    }
}
