package io.baton.bench;

import io.baton.reliability.Corpus;
import io.baton.reliability.PrivateRedis;
import io.baton.reliability.Stack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Batch jobs against interactive requests on one distributed platform (issue 14), run by {@code
 * bench/jobs}: memory, inference and gateway jars as JVMs of their own ({@link Stack}) on a Redis of
 * the run's own (checkpoints and the job store, {@code BATON_REDIS_URL} of the gateway) and the
 * RabbitMQ of {@code BATON_BENCH_RABBITMQ_URL} (the script gives it a virtual host of the run's own).
 *
 * <ol>
 *   <li><b>Throughput</b>: the same N short texts of {@code data/corpus} (300-1,500 characters)
 *       through one job ({@code POST /v1/jobs}, NDJSON, polled with {@code GET /v1/jobs/{id}} until
 *       it finished) and through {@code POST /v1/summaries} by C clients at once, C being the job's
 *       concurrency ({@code consumers × prefetch} of the gateway). Tokens are the summaries'
 *       {@code stats.tokens} summed (the texts are the same, so are the totals); tokens/s of each
 *       and their ratio, job / interactive, per round.</li>
 *   <li><b>Latency under a job</b>: {@code POST /v1/summaries} of one fixed medium text, back to back
 *       by L clients for D seconds, with the platform idle, and while a large job runs (submitted
 *       just before; cancelled and deleted after); p50 and p95 of each and their ratios, busy /
 *       idle, per round.</li>
 * </ol>
 *
 * Each round runs both pairs, the order within each pair alternating by round. Every job is deleted
 * after its round. The load average (1 minute) is sampled every 5 s. Markdown goes to stdout;
 * nothing here is a pass/fail test.
 */
public final class JobsBench {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TENANT = "jobbench";
    private static final Set<String> FINISHED = Set.of("completed", "failed", "cancelled", "expired");

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String key;
    private final String model;
    private final AtomicInteger refusals = new AtomicInteger();

    private JobsBench(String base, String key, String model) {
        this.base = base;
        this.key = key;
        this.model = model;
    }

    /**
     * Arguments: model (gemma2-tiny), texts (1000), rounds (3), consumers (2), prefetch (1), latency
     * seconds per phase (30), large job's texts (200), their characters (12000), the medium text's
     * characters (4000), latency clients (1), heap of each service JVM (1g).
     */
    public static void main(String[] args) throws Exception {
        String model = arg(args, 0, "gemma2-tiny");
        int texts = Integer.parseInt(arg(args, 1, "1000"));
        int rounds = Integer.parseInt(arg(args, 2, "3"));
        int consumers = Integer.parseInt(arg(args, 3, "2"));
        int prefetch = Integer.parseInt(arg(args, 4, "1"));
        int seconds = Integer.parseInt(arg(args, 5, "30"));
        int bigTexts = Integer.parseInt(arg(args, 6, "200"));
        int bigChars = Integer.parseInt(arg(args, 7, "12000"));
        int mediumChars = Integer.parseInt(arg(args, 8, "4000"));
        int latencyClients = Integer.parseInt(arg(args, 9, "1"));
        String heap = arg(args, 10, "1g");
        String rabbit = System.getenv().getOrDefault("BATON_BENCH_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672");
        int concurrency = consumers * prefetch;

        Corpus corpus = Corpus.load();
        Random random = new Random(14);
        List<String> shortTexts = new ArrayList<>();
        for (int i = 0; i < texts; i++) {
            shortTexts.add(cut(corpus.passage(400, i), 300 + random.nextInt(1201)));
        }
        List<String> bigJob = new ArrayList<>();
        for (int i = 0; i < bigTexts; i++) {
            bigJob.add(cut(corpus.passage(bigChars / 3, 5000 + i), bigChars));
        }
        String medium = cut(corpus.passage(mediumChars / 3, 4242), mediumChars);

        Path logs = Files.createDirectories(Path.of("bench/out/jobs-logs")).toAbsolutePath();
        LoadSampler load = new LoadSampler();
        load.start();
        try (PrivateRedis redis = PrivateRedis.start(false, logs);
             Stack stack = Stack.start(Stack.Mode.DISTRIBUTED, redis.url(), model, List.of(TENANT), 1,
                     List.of("-Xmx" + heap), Map.of("BATON_REDIS_URL", redis.url(), "BATON_RABBITMQ_URL", rabbit,
                             "BATON_JOBS_CONSUMERS", Integer.toString(consumers),
                             "BATON_JOBS_PREFETCH", Integer.toString(prefetch)), logs)) {
            JobsBench bench = new JobsBench(stack.gateway().baseUrl(), stack.key(TENANT), model);
            System.out.printf("# bench/jobs: %s, %d texts of 300-1,500 characters (%,d characters), %d rounds, "
                            + "job concurrency %d (consumers %d x prefetch %d) = %d interactive clients; latency: "
                            + "%d client(s), %d s per phase, a %,d-character text, the large job %d texts of %,d "
                            + "characters; heap %s; %s%n%n", model, texts,
                    shortTexts.stream().mapToInt(String::length).sum(), rounds, concurrency, consumers, prefetch,
                    concurrency, latencyClients, seconds, mediumChars, bigTexts, bigChars, heap, LocalDate.now());
            bench.warmUp(shortTexts, medium, concurrency);
            List<String> throughputRows = new ArrayList<>();
            List<String> latencyRows = new ArrayList<>();
            double[] throughputRatios = new double[rounds];
            double[] p95Ratios = new double[rounds];
            double[] p50Ratios = new double[rounds];
            for (int round = 1; round <= rounds; round++) {
                boolean jobFirst = round % 2 == 1;
                Run job = null;
                Run interactive = null;
                for (int turn = 0; turn < 2; turn++) {
                    if ((turn == 0) == jobFirst) {
                        job = bench.job(shortTexts);
                    } else {
                        interactive = bench.interactive(shortTexts, concurrency);
                    }
                }
                long tokens = interactive.tokens();
                double jobRate = tokens / job.seconds();
                double interactiveRate = tokens / interactive.seconds();
                throughputRatios[round - 1] = jobRate / interactiveRate;
                throughputRows.add(String.format("| %d | %s | %,d | %.1f | %,.0f | %.1f | %,.0f | %.2f | %s |", round,
                        jobFirst ? "job, interactive" : "interactive, job", tokens, job.seconds(), jobRate,
                        interactive.seconds(), interactiveRate, throughputRatios[round - 1], job.note()));

                boolean idleFirst = round % 2 == 1;
                Latencies idle = null;
                Latencies busy = null;
                for (int turn = 0; turn < 2; turn++) {
                    if ((turn == 0) == idleFirst) {
                        idle = bench.latencies(medium, latencyClients, seconds, null);
                    } else {
                        busy = bench.latencies(medium, latencyClients, seconds, bigJob);
                    }
                }
                p95Ratios[round - 1] = busy.p95() / idle.p95();
                p50Ratios[round - 1] = busy.p50() / idle.p50();
                latencyRows.add(String.format("| %d | %s | %d | %.0f | %.0f | %d | %.0f | %.0f | %.2f | %.2f | %s |",
                        round, idleFirst ? "idle, busy" : "busy, idle", idle.count(), idle.p50(), idle.p95(),
                        busy.count(), busy.p50(), busy.p95(), p50Ratios[round - 1], p95Ratios[round - 1], busy.note()));
                System.err.printf("round %d done; load %s%n", round, load.summary());
            }

            System.out.println("## Throughput: one job vs the same texts by " + concurrency + " interactive clients");
            System.out.println();
            System.out.println("| round | order | tokens | job (s) | job tokens/s | interactive (s) | interactive tokens/s "
                    + "| job / interactive | job |");
            System.out.println("|---:|---|---:|---:|---:|---:|---:|---:|---|");
            throughputRows.forEach(System.out::println);
            System.out.println();
            System.out.printf("Median job / interactive: **%.2f** (goal >= 0.9); rounds: %s%n%n",
                    BenchSupport.median(throughputRatios), list(throughputRatios));

            System.out.println("## Latency of POST /v1/summaries (ms), idle vs under a large job");
            System.out.println();
            System.out.println("| round | order | idle n | idle p50 | idle p95 | busy n | busy p50 | busy p95 "
                    + "| p50 busy / idle | p95 busy / idle | the large job during the busy phase |");
            System.out.println("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
            latencyRows.forEach(System.out::println);
            System.out.println();
            System.out.printf("Median p95 busy / idle: **%.2f** (goal <= 1.5); rounds: %s%n", BenchSupport.median(p95Ratios),
                    list(p95Ratios));
            System.out.printf("Median p50 busy / idle: **%.2f**; rounds: %s%n%n", BenchSupport.median(p50Ratios),
                    list(p50Ratios));
            System.out.printf("Refusals (429/503, retried after Retry-After): %d. Load average (1 min, every 5 s): %s.%n",
                    bench.refusals.get(), load.summary());
            bench.checkNoJobsLeft();
        } finally {
            load.interrupt();
        }
    }

    /**
     * A round that is not counted: all the texts both ways and a few medium summaries, so that
     * neither arm pays for cold connections or the JIT compiling under it. (With 200 texts of
     * warm-up the first counted round was still the slowest, for both arms and most for the one
     * that ran first: docs/performance.md#batch-jobs.)
     */
    private void warmUp(List<String> texts, String medium, int concurrency) {
        interactive(texts, concurrency);
        job(texts);
        for (int i = 0; i < 5; i++) {
            summarize(medium);
        }
    }

    /** One job of {@code texts}, from the submission until {@code GET} answers it finished; then deleted. */
    private Run job(List<String> texts) {
        byte[] body = ndjson(texts, "t");
        long start = System.nanoTime();
        String id = submit(body);
        double submitted = (System.nanoTime() - start) / 1e9;
        JsonNode finished = awaitFinished(id, Duration.ofMinutes(20));
        double seconds = (System.nanoTime() - start) / 1e9;
        JsonNode counts = finished.path("counts");
        String note = String.format("%s, %d completed, %d failed; submission answered in %.2f s",
                finished.path("status").asString(), counts.path("completed").asInt(), counts.path("failed").asInt(),
                submitted);
        delete(id);
        return new Run(seconds, -1, note);
    }

    /** {@code texts} by {@code clients} at once through {@code POST /v1/summaries}: the time from the first to the last answer. */
    private Run interactive(List<String> texts, int clients) {
        AtomicInteger next = new AtomicInteger();
        AtomicLong tokens = new AtomicLong();
        long start = System.nanoTime();
        runClients(clients, () -> {
            for (int i = next.getAndIncrement(); i < texts.size(); i = next.getAndIncrement()) {
                tokens.addAndGet(summarize(texts.get(i)).path("stats").path("tokens").asLong());
            }
        });
        return new Run((System.nanoTime() - start) / 1e9, tokens.get(), "");
    }

    /**
     * {@code clients} sending {@code text} back to back for {@code seconds}; with {@code job} texts,
     * while that job runs (submitted just before, cancelled and deleted after).
     */
    private Latencies latencies(String text, int clients, int seconds, List<String> job) {
        String id = null;
        if (job != null) {
            id = submit(ndjson(job, "big"));
            awaitStarted(id);
        }
        List<Double> millis = Collections.synchronizedList(new ArrayList<>());
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        runClients(clients, () -> {
            while (System.nanoTime() < end) {
                long start = System.nanoTime();
                summarize(text);
                millis.add((System.nanoTime() - start) / 1e6);
            }
        });
        String note = "";
        if (id != null) {
            JsonNode view = get("/v1/jobs/" + id);
            note = view.path("status").asString() + ", " + view.path("counts").path("completed").asInt() + " of "
                    + job.size() + " done at the end";
            post("/v1/jobs/" + id + "/cancel", new byte[0], "application/json");
            awaitFinished(id, Duration.ofMinutes(5));
            delete(id);
        }
        double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Latencies(sorted.length, percentile(sorted, 50), percentile(sorted, 95), note);
    }

    private void checkNoJobsLeft() {
        JsonNode jobs = get("/v1/jobs?limit=100").path("jobs");
        System.out.printf("Jobs left at the end: %d (each round's jobs were deleted).%n", jobs.size());
    }

    // ---- HTTP ----

    private JsonNode summarize(String text) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("text", text);
        request.put("model", model);
        return post("/v1/summaries", JSON.writeValueAsBytes(request), "application/json");
    }

    private String submit(byte[] ndjson) {
        return post("/v1/jobs", ndjson, "application/x-ndjson").path("id").asString();
    }

    private JsonNode awaitFinished(String id, Duration timeout) {
        return org.awaitility.Awaitility.await("job " + id + " finished").atMost(timeout)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> get("/v1/jobs/" + id), view -> FINISHED.contains(view.path("status").asString()));
    }

    private void awaitStarted(String id) {
        org.awaitility.Awaitility.await("job " + id + " started").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> !get("/v1/jobs/" + id).path("startedAt").isNull());
    }

    private byte[] ndjson(List<String> texts, String prefix) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < texts.size(); i++) {
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("customId", prefix + "-" + i);
            request.put("text", texts.get(i));
            request.put("model", model);
            body.append(JSON.writeValueAsString(request)).append('\n');
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    private JsonNode get(String path) {
        return send(request(path).GET().build(), 200);
    }

    private void delete(String id) {
        send(request("/v1/jobs/" + id).DELETE().build(), 204);
    }

    private JsonNode post(String path, byte[] body, String contentType) {
        return send(request(path).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), -1);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5)).header("X-API-Key", key)
                .header("Accept", "application/json, application/problem+json");
    }

    /** Sends, waiting out 429/503 answers for their {@code Retry-After}; fails on any other status than a 2xx (or {@code expected}). */
    private JsonNode send(HttpRequest request, int expected) {
        for (int attempt = 0; ; attempt++) {
            HttpResponse<byte[]> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                throw new UncheckedIOException(request.uri().toString(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            int status = response.statusCode();
            if ((status == 429 || status == 503) && attempt < 100) {
                refusals.incrementAndGet();
                sleep(1000L * Long.parseLong(response.headers().firstValue("Retry-After").orElse("1")));
                continue;
            }
            if (expected > 0 ? status != expected : status / 100 != 2) {
                throw new IllegalStateException(request.method() + " " + request.uri() + ": " + status + " "
                        + new String(response.body(), StandardCharsets.UTF_8));
            }
            return response.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(response.body());
        }
    }

    // ---- helpers ----

    private static void runClients(int clients, Runnable client) {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                futures.add(pool.submit(client));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@code text} cut at the last whitespace before {@code chars} characters (or whole, if shorter). */
    private static String cut(String text, int chars) {
        if (text.length() <= chars) {
            return text;
        }
        int end = text.lastIndexOf(' ', chars);
        return text.substring(0, end > chars / 2 ? end : chars);
    }

    /** Nearest rank. */
    private static double percentile(double[] sorted, int p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static String list(double[] values) {
        List<String> all = new ArrayList<>();
        for (double v : values) {
            all.add(String.format("%.2f", v));
        }
        return String.join(", ", all);
    }

    private static String arg(String[] args, int i, String fallback) {
        return args.length > i && !args[i].isBlank() ? args[i] : fallback;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private record Run(double seconds, long tokens, String note) {
    }

    private record Latencies(int count, double p50, double p95, String note) {
    }

    /** The 1-minute load average from {@code /proc/loadavg}, every 5 s. */
    private static final class LoadSampler extends Thread {

        private final List<Double> samples = Collections.synchronizedList(new ArrayList<>());

        LoadSampler() {
            super("load-sampler");
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!isInterrupted()) {
                try {
                    samples.add(Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]));
                    Thread.sleep(5000);
                } catch (IOException e) {
                    return;
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        String summary() {
            double[] all;
            synchronized (samples) {
                all = samples.stream().mapToDouble(Double::doubleValue).toArray();
            }
            if (all.length == 0) {
                return "no samples";
            }
            double[] sorted = all.clone();
            java.util.Arrays.sort(sorted);
            return String.format("min %.2f, median %.2f, max %.2f (%d samples)", sorted[0], BenchSupport.median(all),
                    sorted[sorted.length - 1], all.length);
        }
    }
}
