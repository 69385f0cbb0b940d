package io.baton.bench;

import io.baton.common.testing.DataFiles;
import io.baton.common.testing.SpringServer;
import io.baton.common.testing.TestServers;
import io.baton.e2e.BatchSizes;
import io.baton.gateway.GatewayProperties;
import io.baton.gateway.GatewayServiceApplication;
import io.baton.gateway.segmenting.Cut;
import io.baton.gateway.summarize.SummaryResponse;
import io.baton.inference.InferenceServiceApplication;
import io.baton.inference.models.ModelRegistry;
import io.baton.memory.MemoryServiceApplication;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Batches on real traffic (issue 16), sentence vs exact cut side by side in one run: memory
 * (Redis), inference and one gateway per cut as separate Spring applications in this JVM over
 * HTTP, the gateways sharing the inference service. For each number of documents N, in turns
 * per cut, N SQuALITY dev stories (the 25 stories, repeated as further documents when N is larger)
 * are summarized at once, or, with a concurrency C, at most C at a time, the next starting as one ends
 * (a steady load of C documents until the last C drain); prints the inference service's batches over
 * that phase (segments per model run; the fill seen by a segment, the mean size of the run each segment ran in
 * over max-batch, over the whole phase and, with a concurrency below N, until the last document started, i.e.
 * while C documents ran, without the drain of the last C; the share of segments that ran in a full batch),
 * segments per document and tokens per second. Prints Markdown.
 *
 * <p>With {@code -Dbaton.bench.lanes=both}, each cut runs twice, in turns: with the default model as
 * served (one batcher lane for every segment length when its plan says {@code "ragged": true}) and
 * with {@code <default>-by-length}, the same folder (same weights, same digest) whose plan lacks
 * {@code "ragged"}, so the batcher keeps a lane per length; inference then loads these two models
 * only (a temporary model folder of links).
 *
 * <p>With {@code -Dbaton.bench.in-flight=1,2}, each cut runs once per number of a document's segments at
 * inference at once ({@code baton.pipeline.segments-in-flight}, a gateway each), in turns: with 2 (the
 * default) a document's next segment is sent before the previous one is answered, and waits at the
 * inference service for its state, which can split the documents into groups that alternate; with 1 they
 * all wait for the same run.
 *
 * <p>Usage: {@code RealTrafficBatches <documents,...> <max-wait> <max-batch> <rounds> [concurrency]}; see
 * {@code bench/real-traffic-batches}.
 */
public final class RealTrafficBatches {

    private RealTrafficBatches() {
    }

    public static void main(String[] args) throws IOException {
        int[] counts = Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray();
        String maxWait = args[1];
        String maxBatch = args[2];
        int rounds = Integer.parseInt(args[3]);
        int concurrency = args.length > 4 ? Integer.parseInt(args[4]) : Integer.MAX_VALUE;
        JsonMapper json = JsonMapper.builder().build();
        List<String> stories = Files.readAllLines(DataFiles.path("eval/squality/squality_dev_plot.jsonl"),
                StandardCharsets.UTF_8).stream().map(line -> json.readTree(line).get("document").asString())
                .distinct().toList();
        String token = UUID.randomUUID().toString().replace("-", "");
        String model = GatewayProperties.Models.DEFAULT_MODEL;
        boolean both = "both".equals(System.getProperty("baton.bench.lanes"));
        int[] inFlight = Arrays.stream(System.getProperty("baton.bench.in-flight", "2").split(","))
                .mapToInt(Integer::parseInt).toArray();
        Path models = both ? byLength(model) : null;
        List<String> arms = both ? List.of(model, model + BY_LENGTH) : List.of(model);
        try (SpringServer memory = SpringServer.start(MemoryServiceApplication.class, Map.of("baton.store.kind",
                "redis", "baton.redis.url", TestServers.redisUrl(), "baton.service-token", token));
             SpringServer inference = SpringServer.start(InferenceServiceApplication.class, withModels(models, Map.of(
                     "baton.memory.url", memory.baseUrl(), "baton.service-token", token,
                     "baton.batching.max-wait", maxWait, "baton.batching.max-batch", maxBatch)))) {
            int most = Math.min(concurrency, Arrays.stream(counts).max().orElse(1));
            Map<Gateway, SpringServer> gateways = new LinkedHashMap<>();
            for (Cut cut : Cut.values()) {
                for (int flight : inFlight) {
                    gateways.put(new Gateway(cut, flight), SpringServer.start(GatewayServiceApplication.class,
                            withModels(models, Map.of(
                                    "baton.inference.url", inference.baseUrl(), "baton.memory.url", memory.baseUrl(),
                                    "baton.access.open", "true", "baton.service-token", token,
                                    "baton.pipeline.concurrency", "" + most, "baton.limits.tenant-concurrency", "" + most,
                                    "baton.pipeline.segments-in-flight", "" + flight,
                                    "baton.segmenting.cut", cut.toString()))));
                }
            }
            try {
                DistributionSummary batches = inference.bean(MeterRegistry.class).get("baton.inference.batch.size")
                        .summary();
                System.out.printf(Locale.ROOT, "SQuALITY dev stories summarized at once through the distributed stack; "
                        + "model %s (default); max-batch %s, max-wait %s; at most %s documents at once; %d cores%n%n",
                        model, maxBatch, maxWait,
                        concurrency == Integer.MAX_VALUE ? "all" : concurrency, Runtime.getRuntime().availableProcessors());
                System.out.println("| documents | round | cut | in flight | lanes | segments per document | model runs | segments per run "
                        + "(batch mean) | fill seen by a segment | the same until the last document started "
                        + "| segments in full runs | runs by size (size: runs) | tokens/s | wall (s) |");
                System.out.println("|---:|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---:|");
                for (String arm : arms) {
                    summarize(gateways.values().iterator().next(), arm, List.of(stories.get(0)), 1, () -> { });   // warm-up
                }
                for (int round = 1; round <= rounds; round++) {
                    for (int n : counts) {
                        List<String> texts = new ArrayList<>();
                        for (int i = 0; i < n; i++) {
                            texts.add(stories.get(i % stories.size()));
                        }
                        for (Map.Entry<Gateway, SpringServer> gateway : gateways.entrySet()) {
                          for (String arm : arms) {
                            BatchSizes before = BatchSizes.read(batches);
                            long count = batches.count();
                            double total = batches.totalAmount();
                            long started = System.nanoTime();
                            AtomicReference<BatchSizes> lastStarted = new AtomicReference<>();
                            List<SummaryResponse> answers = summarize(gateway.getValue(), arm, texts, Math.min(n, concurrency),
                                    () -> lastStarted.set(BatchSizes.read(batches)));
                            double seconds = (System.nanoTime() - started) / 1e9;
                            long runs = batches.count() - count;
                            double segments = batches.totalAmount() - total;
                            long tokens = answers.stream().mapToLong(a -> a.stats().tokens()).sum();
                            BatchSizes after = BatchSizes.read(batches);
                            int size = Integer.parseInt(maxBatch);
                            String steady = n > concurrency ? String.format(Locale.ROOT, "%.1f %%",
                                    100 * lastStarted.get().fillSeenBySegmentSince(before, size)) : "-";
                            System.out.printf(Locale.ROOT, "| %d | %d | %s | %d | %s | %.1f | %d | %.2f | %.1f %% | %s | %.1f %% | %s | %,.0f | %.1f |%n",
                                    n, round, gateway.getKey().cut(), gateway.getKey().segmentsInFlight(), lanes(inference, arm), segments / n, runs, segments / runs,
                                    100 * after.fillSeenBySegmentSince(before, size), steady, 100 * after.inFullRunsSince(before, size),
                                    after.describeSince(before), tokens / seconds, seconds);
                          }
                        }
                    }
                }
            } finally {
                gateways.values().forEach(SpringServer::close);
            }
        }
    }

    /**
     * The texts' summaries by {@code model}, at most {@code concurrency} requests at a time; {@code lastStarts}
     * runs as the last text's request is sent.
     */
    private static List<SummaryResponse> summarize(SpringServer gateway, String model, List<String> texts,
                                                   int concurrency, Runnable lastStarts) {
        WebClient client = WebClient.builder().baseUrl(gateway.baseUrl())
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(16 << 20)).build();
        return Flux.range(0, texts.size())
                .flatMapSequential(i -> client.post().uri("/v1/summaries").contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("text", texts.get(i), "model", model)).retrieve().bodyToMono(SummaryResponse.class)
                        .doOnSubscribe(subscription -> {
                            if (i == texts.size() - 1) {
                                lastStarts.run();
                            }
                        }),
                        concurrency)
                .collectList().block(Duration.ofMinutes(30));
    }

    static final String BY_LENGTH = "-by-length";

    /** A gateway of the run: its cut and how many segments of one document it sends to inference at once. */
    private record Gateway(Cut cut, int segmentsInFlight) {
    }

    /** How the inference service's batcher gives {@code model} lanes: one for every length, or one per length. */
    private static String lanes(SpringServer inference, String model) {
        return inference.bean(ModelRegistry.class).get(model).plan().ragged() ? "one (ragged)" : "per length";
    }

    /**
     * A temporary model folder with a link to {@code models/zoo/<model>} and {@code <model>-by-length}: links to
     * its files but {@code baton-model.json}, whose copy lacks {@code "ragged"}.
     */
    private static Path byLength(String model) throws IOException {
        Path source = Path.of(System.getProperty("baton.zoo.dir", "models/zoo")).toAbsolutePath().normalize().resolve(model);
        Path folder = Files.createTempDirectory("baton-bench-lanes-");
        Files.createSymbolicLink(folder.resolve(model), source);
        Path copy = Files.createDirectory(folder.resolve(model + BY_LENGTH));
        try (Stream<Path> files = Files.list(source)) {
            for (Path file : files.toList()) {
                if (!file.getFileName().toString().equals("baton-model.json")) {
                    Files.createSymbolicLink(copy.resolve(file.getFileName()), file);
                }
            }
        }
        JsonMapper json = JsonMapper.builder().build();
        ObjectNode plan = (ObjectNode) json.readTree(Files.readAllBytes(source.resolve("baton-model.json")));
        plan.remove("ragged");
        Files.writeString(copy.resolve("baton-model.json"), json.writeValueAsString(plan));
        return folder;
    }

    /** {@code settings} with {@code baton.models.dir} = {@code models}, unless that is null. */
    private static Map<String, String> withModels(Path models, Map<String, String> settings) {
        if (models == null) {
            return settings;
        }
        Map<String, String> all = new HashMap<>(settings);
        all.put("baton.models.dir", models.toString());
        return all;
    }
}
