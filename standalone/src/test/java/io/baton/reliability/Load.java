package io.baton.reliability;

import io.baton.common.redis.RedisConnection;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code bench/load}: many clients at once against the platform for a while, on a Redis of the
 * run's own, then the books are checked.
 *
 * <p>Each client sends, one after another until the time is up, an extractive summary of a
 * passage of the corpus ({@code POST /v1/summaries}) or, in the documents variant, an ingest of
 * it ({@code POST /v1/documents}) through the gateway with the tenant's API key. A 429 or 503 is
 * honoured: the client waits its {@code Retry-After} before sending again; a lost connection waits
 * a second. What must hold, each a line of the report:
 * <ul>
 *   <li>every answer is a success (200 summary, 201 ingest) or a 429/503 problem detail with a
 *       {@code Retry-After} header: no other status, no 5xx, no lost connection, no client
 *       time-out;</li>
 *   <li>each service's resident memory, sampled every second, stays under the bound;</li>
 *   <li>after the run, every ingested document's {@code GET} shows the segments its ingest
 *       reported, with one accepted write per segment (nothing lost, nothing applied twice), and
 *       the tenant's document list in Redis holds exactly the ingested documents (no summary's
 *       temporary document left behind, no half-ingested document kept);</li>
 *   <li>every service still answers its health check.</li>
 * </ul>
 *
 * <p>Arguments: {@code mode} ({@code distributed}: the three jars; {@code serve}: {@code ./baton
 * serve}), clients, seconds, RSS bound per JVM in MiB, words per text, API ({@code summaries},
 * {@code documents} or {@code mixed}: even clients summarize, odd ones ingest), JVM heap of each
 * service, grace seconds (how long answers to requests sent before the end are waited for).
 * Prints a Markdown report; exits 1 when something did not hold.
 */
public final class Load {

    private final Stack stack;
    private final Http http = new Http();
    private final String tenant;
    private final String key;
    private final String model;
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Long> latenciesMs = new ConcurrentLinkedQueue<>();
    /** Ingested documents: id to the segments and tokens their ingest reported. */
    private final Map<String, long[]> ingested = new ConcurrentHashMap<>();
    private final LongAdder tokensDone = new LongAdder();

    private Load(Stack stack, String tenant) {
        this.stack = stack;
        this.tenant = tenant;
        this.key = stack.key(tenant);
        this.model = stack.model();
    }

    public static void main(String[] args) throws Exception {
        Stack.Mode mode = Stack.Mode.of(arg(args, 0, "distributed"));
        int clients = Integer.parseInt(arg(args, 1, "100"));
        int seconds = Integer.parseInt(arg(args, 2, "300"));
        long boundMiB = Long.parseLong(arg(args, 3, "2048"));
        int words = Integer.parseInt(arg(args, 4, "20000"));
        String api = arg(args, 5, "mixed");
        String heap = arg(args, 6, "1g");
        int grace = Integer.parseInt(arg(args, 7, "120"));
        String model = System.getProperty("baton.bench.model", "gemma2-tiny");
        if (!List.of("summaries", "documents", "mixed").contains(api)) {
            throw new IllegalArgumentException("api must be summaries, documents or mixed: " + api);
        }
        Corpus corpus = Corpus.load();
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < Math.min(clients, 64); i++) {
            texts.add(corpus.passage(words, i));
        }
        Path logs = Files.createDirectories(Path.of("bench/out/logs/load-" + Instant.now().getEpochSecond()));
        String tenant = "load-" + UUID.randomUUID().toString().substring(0, 8);
        boolean ok;
        try (PrivateRedis redis = PrivateRedis.start(false, logs);
             Stack stack = Stack.start(mode, redis.url(), model, List.of(tenant), 1, List.of("-Xmx" + heap), logs)) {
            System.out.printf("# bench/load: %s, %d clients, %d s, %s, %d-word texts (%s), heap %s, RSS bound %d MiB%n%n",
                    mode.name().toLowerCase(), clients, seconds, api, words, model, heap, boundMiB);
            System.out.printf("Run %s; services' logs in %s.%n%n", Instant.now(), logs);
            ok = new Load(stack, tenant).run(redis, texts, clients, seconds, grace, api, boundMiB);
        }
        System.exit(ok ? 0 : 1);
    }

    private boolean run(PrivateRedis redis, List<String> texts, int clients, int seconds, int grace, String api,
                        long boundMiB) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + Duration.ofSeconds(seconds).toNanos();
        long hardEnd = end + Duration.ofSeconds(grace).toNanos();
        List<Thread> threads = new ArrayList<>();
        try (RssSampler rss = new RssSampler(stack.nodes())) {
            for (int c = 0; c < clients; c++) {
                int client = c;
                boolean documents = api.equals("documents") || (api.equals("mixed") && client % 2 == 1);
                String text = texts.get(client % texts.size());
                Thread thread = new Thread(() -> client(client, documents, text, end, hardEnd), "client-" + c);
                thread.start();
                threads.add(thread);
            }
            for (Thread thread : threads) {
                thread.join();
            }
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            Map<String, Long> maxRss = rss.max();
            return report(redis, elapsedMs, maxRss, boundMiB);
        }
    }

    private void client(int client, boolean documents, String text, long end, long hardEnd) {
        String gateway = stack.gateway().baseUrl();
        Map<String, String> headers = Map.of("X-API-Key", key);
        for (int n = 0; System.nanoTime() < end; n++) {
            Duration timeout = Duration.ofNanos(Math.max(Duration.ofSeconds(10).toNanos(), hardEnd - System.nanoTime()));
            long sent = System.nanoTime();
            Http.Answer answer;
            String id = "load-" + client + "-" + n;
            if (documents) {
                answer = http.postJson(gateway + "/v1/documents", Map.of("text", text, "id", id, "model", model),
                        headers, timeout);
            } else {
                answer = http.postJson(gateway + "/v1/summaries", Map.of("text", text, "model", model, "sentences", 5),
                        headers, timeout);
            }
            String kind = documents ? "ingest" : "summary";
            outcomes.computeIfAbsent(kind + " " + answer.outcome(), k -> new LongAdder()).increment();
            int status = answer.status();
            if ((documents && status == 201) || (!documents && status == 200)) {
                latenciesMs.add((System.nanoTime() - sent) / 1_000_000);
                check(kind, id, answer, documents);
            } else if (status == 429 || status == 503) {
                String retryAfter = answer.header("Retry-After");
                if (retryAfter == null || !answer.isProblem()) {
                    violations.add(kind + ": " + answer.outcome() + " without " + (retryAfter == null
                            ? "a Retry-After header" : "a problem detail"));
                }
                pause(end, retryAfter == null ? 1 : seconds(retryAfter));
            } else {
                violations.add(kind + ": " + answer.outcome() + (answer.status() == 0 ? "" : " " + abbreviate(answer.text())));
                pause(end, 1);
            }
        }
    }

    private void check(String kind, String id, Http.Answer answer, boolean documents) {
        Map<String, Object> json = answer.json();
        if (documents) {
            Map<?, ?> document = json.get("document") instanceof Map<?, ?> d ? d : Map.of();
            List<?> written = json.get("written") instanceof List<?> w ? w : List.of();
            long segments = number(document.get("segments"));
            if (segments != written.size() || !id.equals(document.get("id"))) {
                violations.add("ingest " + id + ": answer reports " + segments + " segments but lists " + written.size());
            }
            ingested.put(id, new long[] {segments, number(document.get("tokens"))});
            tokensDone.add(number(document.get("tokens")));
        } else {
            Map<?, ?> stats = json.get("stats") instanceof Map<?, ?> s ? s : Map.of();
            if (!(json.get("summary") instanceof String summary) || summary.isBlank()) {
                violations.add(kind + ": a 200 without a summary");
            }
            tokensDone.add(number(stats.get("tokens")));
        }
    }

    private boolean report(PrivateRedis redis, long elapsedMs, Map<String, Long> maxRss, long boundMiB) {
        StringBuilder out = new StringBuilder();
        List<String> failures = new ArrayList<>();
        out.append("| answer | count |\n|---|---:|\n");
        new TreeMap<>(outcomes).forEach((outcome, count) -> out.append("| ").append(outcome).append(" | ")
                .append(count.sum()).append(" |\n"));
        List<Long> latencies = new ArrayList<>(latenciesMs);
        Collections.sort(latencies);
        out.append(String.format("%nSuccesses: %d in %.1f s; %.0f tokens/s; latency of a success p50 %s ms, p95 %s ms, max %s ms.%n",
                latencies.size(), elapsedMs / 1000.0, tokensDone.sum() * 1000.0 / elapsedMs, percentile(latencies, 50),
                percentile(latencies, 95), latencies.isEmpty() ? "-" : latencies.get(latencies.size() - 1)));
        if (!violations.isEmpty()) {
            Map<String, Integer> kinds = new TreeMap<>();
            violations.forEach(v -> kinds.merge(v.length() > 160 ? v.substring(0, 160) : v, 1, Integer::sum));
            failures.add(violations.size() + " answers neither a success nor a 429/503 problem with Retry-After");
            out.append("\nAnswers that break the rule (first 20 kinds):\n\n");
            kinds.entrySet().stream().limit(20).forEach(e -> out.append("- ").append(e.getValue()).append(" x ")
                    .append(e.getKey()).append('\n'));
        }

        out.append("\n| service | max RSS (MiB) | bound (MiB) | healthy after |\n|---|---:|---:|---|\n");
        for (Node node : stack.nodes()) {
            long max = maxRss.getOrDefault(node.name(), -1L) / (1024 * 1024);
            boolean healthy = node.healthy();
            out.append("| ").append(node.name()).append(" | ").append(max).append(" | ").append(boundMiB)
                    .append(" | ").append(healthy ? "yes" : "NO").append(" |\n");
            if (max > boundMiB) {
                failures.add(node.name() + " reached " + max + " MiB RSS, over the bound of " + boundMiB);
            }
            if (!healthy) {
                failures.add(node.name() + " is not healthy after the run");
            }
        }

        // The books: every ingested document as its ingest reported, one write per segment, and
        // the tenant's list in Redis holding exactly those (summaries delete theirs).
        int checked = 0;
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, long[]> doc : new TreeMap<>(ingested).entrySet()) {
            Http.Answer view = http.get(stack.gateway().baseUrl() + "/v1/documents/" + doc.getKey(),
                    Map.of("X-API-Key", key), Duration.ofSeconds(60));
            long segments = number(view.json().get("segments"));
            long version = number(view.json().get("version"));
            long tokens = number(view.json().get("tokens"));
            checked++;
            if (view.status() != 200 || segments != doc.getValue()[0] || version != segments
                    || tokens != doc.getValue()[1]) {
                wrong.add(doc.getKey() + ": " + view.outcome() + ", segments " + segments + " (ingest reported "
                        + doc.getValue()[0] + "), version " + version + ", tokens " + tokens);
            }
        }
        Set<String> listed = documentList(redis);
        Set<String> leftovers = new TreeSet<>(listed);
        leftovers.removeAll(ingested.keySet());
        Set<String> lost = new TreeSet<>(ingested.keySet());
        lost.removeAll(listed);
        out.append(String.format("%nAfter the run: %d ingested documents checked through GET, %d with a head other "
                        + "than their ingest's segments or a version other than one write per segment; the tenant's "
                        + "list in Redis has %d documents: %d not ingested by a 201 (left behind), %d ingested but "
                        + "missing.%n", checked, wrong.size(), listed.size(), leftovers.size(), lost.size()));
        wrong.stream().limit(10).forEach(w -> out.append("- ").append(w).append('\n'));
        leftovers.stream().limit(10).forEach(w -> out.append("- left behind: ").append(w).append('\n'));
        if (!wrong.isEmpty()) {
            failures.add(wrong.size() + " documents not as their ingest reported");
        }
        if (!leftovers.isEmpty()) {
            failures.add(leftovers.size() + " documents left behind in the tenant's list");
        }
        if (!lost.isEmpty()) {
            failures.add(lost.size() + " ingested documents missing from the tenant's list");
        }
        if (latencies.isEmpty()) {
            failures.add("no request succeeded");
        }

        out.append("\n").append(failures.isEmpty() ? "**PASS**: everything held.\n" : "**FAIL**:\n");
        failures.forEach(f -> out.append("- ").append(f).append('\n'));
        System.out.print(out);
        return failures.isEmpty();
    }

    /** The documents of the tenant's list (the hash {@code baton:{tenant:<t>}:docs}, docs/state-store.md). */
    private Set<String> documentList(PrivateRedis redis) {
        RedisClient client = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return new HashSet<>(connection.sync().hkeys("baton:{tenant:" + tenant + "}:docs"));
        } finally {
            RedisConnection.shutdown(client);
        }
    }

    private static String percentile(List<Long> sorted, int p) {
        return sorted.isEmpty() ? "-" : Long.toString(sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100)));
    }

    /** Waits {@code seconds}, but not past {@code end}. */
    private static void pause(long end, long seconds) {
        long nanos = Math.min(Duration.ofSeconds(Math.max(0, seconds)).toNanos(), end - System.nanoTime());
        if (nanos > 0) {
            try {
                Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Retry-After as seconds (an HTTP date counts as 1). */
    static long seconds(String retryAfter) {
        try {
            return Long.parseLong(retryAfter.trim());
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    static long number(Object value) {
        return value instanceof Number n ? n.longValue() : -1;
    }

    static String abbreviate(String text) {
        String flat = text.replaceAll("\\s+", " ");
        return flat.length() > 200 ? flat.substring(0, 200) + "..." : flat;
    }

    static String arg(String[] args, int i, String fallback) {
        return args.length > i && !args[i].isBlank() ? args[i] : fallback;
    }
}
