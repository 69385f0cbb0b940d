package io.baton.reliability;

import io.baton.common.redis.RedisConnection;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * {@code bench/bad-input}: requests a careless or hostile client sends, each against the running
 * distributed stack (memory, inference and a gateway as separate JVMs, on a Redis of the run's
 * own), to the gateway or, where the case is about a service, straight to inference or memory
 * with the service token. What must hold for each: the answer is a problem detail, every service
 * still answers its health check and a small summary still succeeds, and nothing was stored (the
 * set of keys in Redis is the same before and after). The slow client instead must be timed out
 * by the server, while a normal request succeeds next to it.
 *
 * <p>Arguments: slow clients (default 8), the longest a slow client is kept sending, in seconds
 * (default 90), model. Prints a Markdown report; exits 1 when a case did not hold.
 */
public final class BadInput {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private final Stack stack;
    private final PrivateRedis redis;
    private final String owner;
    private final String other;
    private final Http http = new Http();
    private final List<String> rows = new ArrayList<>();
    private boolean allHeld = true;

    private BadInput(Stack stack, PrivateRedis redis, String owner, String other) {
        this.stack = stack;
        this.redis = redis;
        this.owner = owner;
        this.other = other;
    }

    public static void main(String[] args) throws Exception {
        int slowClients = Integer.parseInt(Load.arg(args, 0, "8"));
        int slowSeconds = Integer.parseInt(Load.arg(args, 1, "90"));
        String model = Load.arg(args, 2, "gemma2-tiny");
        Path logs = Files.createDirectories(Path.of("bench/out/logs/bad-input-" + Instant.now().getEpochSecond()));
        String run = UUID.randomUUID().toString().substring(0, 8);
        String owner = "owner-" + run;
        String other = "other-" + run;
        boolean ok;
        try (PrivateRedis redis = PrivateRedis.start(false, logs);
             Stack stack = Stack.start(Stack.Mode.DISTRIBUTED, redis.url(), model, List.of(owner, other), 1,
                     List.of("-Xmx768m"), logs)) {
            System.out.printf("# bench/bad-input (%s)%n%nRun %s on the distributed stack (memory, inference, a gateway: "
                    + "separate JVMs, default limits) on a Redis of its own; services' logs in %s.%n%n", model,
                    Instant.now(), logs);
            BadInput bench = new BadInput(stack, redis, owner, other);
            bench.run(slowClients, slowSeconds);
            ok = bench.allHeld;
        }
        System.exit(ok ? 0 : 1);
    }

    private void run(int slowClients, int slowSeconds) {
        String gateway = stack.gateway().baseUrl();
        Map<String, String> ownerKey = Map.of("X-API-Key", stack.key(owner));
        Map<String, String> otherKey = Map.of("X-API-Key", stack.key(other));
        Http.Answer ingest = http.postJson(gateway + "/v1/documents", Map.of("text", Faults.passage(3000), "id", "owned"),
                ownerKey, TIMEOUT);
        if (ingest.status() != 201) {
            throw new IllegalStateException("the owner's ingest failed: " + ingest.outcome() + " " + ingest.text());
        }
        rows.add("| case | what was sent | answer | problem detail | Retry-After | healthy after | stored nothing | result |");
        rows.add("|---|---|---|---|---|---|---|---|");

        String prompt = "a".repeat(16_384);
        check("16,384-token prompt", "POST /v1/documents/owned:generate, a 16,384-token prompt (16 KB), maxTokens 1",
                () -> http.postJson(gateway + "/v1/documents/owned:generate", Map.of("prompt", prompt, "maxTokens", 1),
                        Map.of("X-API-Key", stack.key(owner), "Accept", "text/event-stream, application/problem+json"),
                        TIMEOUT));

        long[] tokens = new long[256];
        Arrays.fill(tokens, 'a');
        List<int[]> many = IntStream.range(0, 10_000).mapToObj(i -> new int[] {i % 256, i % 256 + 1}).toList();
        check("10,000 sentence spans", "inference POST /v1/segments (service token): 256 tokens, 10,000 spans of one token",
                () -> segments("spans-many", tokens, many));
        long[] longest = new long[2048];
        Arrays.fill(longest, 'a');
        List<int[]> overlapping = IntStream.range(0, 1024).mapToObj(i -> new int[] {i, 2048 - i}).toList();
        check("overlapping spans", "inference POST /v1/segments: 2,048 tokens, 1,024 nested spans [i, 2048-i)",
                () -> segments("spans-overlapping", longest, overlapping));

        Map<String, Object> summary = Map.of("text", "One sentence here. And another one there.", "sentences", 1);
        check("no API key", "POST /v1/summaries without X-API-Key",
                () -> http.postJson(gateway + "/v1/summaries", summary, Map.of(), TIMEOUT));
        check("wrong API key", "POST /v1/summaries with an unknown key",
                () -> http.postJson(gateway + "/v1/summaries", summary, Map.of("X-API-Key", "x".repeat(32)), TIMEOUT));
        check("another tenant's document: GET", "GET /v1/documents/owned with the other tenant's key",
                () -> http.get(gateway + "/v1/documents/owned", otherKey, TIMEOUT));
        check("another tenant's document: append", "POST /v1/documents/owned:append with the other tenant's key",
                () -> http.postJson(gateway + "/v1/documents/owned:append", Map.of("text", " More."), otherKey, TIMEOUT));
        check("another tenant's document: generate", "POST /v1/documents/owned:generate with the other tenant's key",
                () -> http.postJson(gateway + "/v1/documents/owned:generate", Map.of("prompt", "And"),
                        Map.of("X-API-Key", stack.key(other), "Accept", "text/event-stream, application/problem+json"),
                        TIMEOUT));
        check("another tenant's document: delete", "DELETE /v1/documents/owned with the other tenant's key",
                () -> http.delete(gateway + "/v1/documents/owned", otherKey, TIMEOUT));

        byte[] summaryBody = Http.JSON.writeValueAsBytes(summary);
        int port = stack.gateway().port();
        for (String path : List.of("/v1;x=1/summaries", "/%76%31/summaries", "/v1/%73ummaries", "//v1/summaries",
                "/v1/./summaries")) {
            check("path " + path, "POST " + path + " without a key (raw request)",
                    () -> Http.raw(port, head("POST", path, Map.of("Content-Type", "application/json"), summaryBody.length),
                            summaryBody, 0, Duration.ofSeconds(60)));
        }
        String filler = "x".repeat(100 * 1024);
        check("100 KB header", "GET /v1/documents/owned with the key and a 100 KB X-Filler header (raw request)",
                () -> Http.raw(port, head("GET", "/v1/documents/owned", Map.of("X-API-Key", stack.key(owner),
                        "X-Filler", filler), 0), new byte[0], 0, Duration.ofSeconds(60)));

        byte[] huge = hugeText(17 * 1024 * 1024);
        check("gateway body over 16 MB", "POST /v1/summaries, a 17 MB JSON body",
                () -> http.postBytes(gateway + "/v1/summaries", huge, "application/json", ownerKey, TIMEOUT));
        check("gateway body over 16 MB: ingest", "POST /v1/documents, a 17 MB JSON body",
                () -> http.postBytes(gateway + "/v1/documents", huge, "application/json", ownerKey, TIMEOUT));
        long[] manyTokens = new long[300_000];
        Arrays.fill(manyTokens, 'a');
        check("inference body over its limit", "inference POST /v1/segments, 300,000 tokens (about 1.2 MB of JSON)",
                () -> segments("too-big", manyTokens, List.of()));
        byte[] checkpoint = new byte[65 * 1024 * 1024];
        check("memory body over its limit", "memory PUT /v1/documents/too-big/checkpoints/0, 65 MB (limit 64 MB)",
                () -> http.putBytes(stack.memory().baseUrl() + "/v1/documents/too-big/checkpoints/0", checkpoint,
                        "application/octet-stream", serviceHeaders(), TIMEOUT));

        slowClients(slowClients, slowSeconds, summaryBody);

        rows.forEach(System.out::println);
        System.out.println();
        System.out.println(allHeld ? "**PASS**: every case held." : "**FAIL**: see the rows marked FAIL.");
    }

    /** Runs one case and adds its row: a problem detail, every service healthy, the same Redis keys. */
    private void check(String name, String sent, Supplier<Http.Answer> request) {
        Set<String> before = keys();
        Http.Answer answer = request.get();
        Set<String> after = keys();
        boolean healthy = healthyAfter();
        Set<String> added = new HashSet<>(after);
        added.removeAll(before);
        Set<String> removed = new HashSet<>(before);
        removed.removeAll(after);
        boolean storedNothing = added.isEmpty() && removed.isEmpty();
        boolean problem = answer.status() >= 400 && answer.isProblem();
        boolean retryAfterRight = !(answer.status() == 429 || answer.status() == 503) || answer.header("Retry-After") != null;
        boolean ok = problem && healthy && storedNothing && retryAfterRight;
        allHeld &= ok;
        String stored = storedNothing ? "yes" : "NO: " + (added.isEmpty() ? "" : "added " + abbreviate(added))
                + (removed.isEmpty() ? "" : " removed " + abbreviate(removed));
        rows.add("| " + name + " | " + sent + " | " + answer.outcome() + " | "
                + (problem ? "yes" : "NO" + (answer.status() == 0 ? "" : ": " + contentType(answer))) + " | "
                + (answer.header("Retry-After") == null ? "-" : answer.header("Retry-After")) + " | "
                + (healthy ? "yes" : "NO") + " | " + stored + " | " + (ok ? "PASS" : "**FAIL**") + " |");
    }

    /**
     * Opens {@code count} connections that each send a summary request one byte a second, and while
     * they send, a normal summary; holds when the normal summary succeeds and the server ends every
     * slow connection (an answer, or closing it) before {@code seconds}.
     */
    private void slowClients(int count, int seconds, byte[] body) {
        int port = stack.gateway().port();
        String request = head("POST", "/v1/summaries", Map.of("Content-Type", "application/json",
                "X-API-Key", stack.key(owner)), body.length);
        ExecutorService pool = Executors.newFixedThreadPool(count);
        List<Future<long[]>> slow = new ArrayList<>();
        List<Http.Answer> answers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            slow.add(pool.submit(() -> {
                long started = System.nanoTime();
                Http.Answer answer = Http.raw(port, request, body, 1, Duration.ofSeconds(seconds));
                synchronized (answers) {
                    answers.add(answer);
                }
                return new long[] {(System.nanoTime() - started) / 1_000_000_000L};
            }));
        }
        sleep(5);
        Http.Answer normal = http.postJson(stack.gateway().baseUrl() + "/v1/summaries",
                Map.of("text", "One sentence here. And another one there.", "sentences", 1),
                Map.of("X-API-Key", stack.key(owner)), TIMEOUT);
        long longest = 0;
        for (Future<long[]> future : slow) {
            try {
                longest = Math.max(longest, future.get()[0]);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        pool.shutdown();
        Map<String, Long> outcomes = answers.stream().collect(Collectors.groupingBy(Http.Answer::outcome,
                LinkedHashMap::new, Collectors.counting()));
        boolean timedOut = answers.stream().noneMatch(a -> "no-answer".equals(a.failure()));
        boolean healthy = healthyAfter();
        boolean ok = normal.status() == 200 && timedOut && healthy;
        allHeld &= ok;
        rows.add("| slow clients | " + count + " connections sending POST /v1/summaries one byte a second (for at most "
                + seconds + " s), and a normal summary 5 s in | slow: " + outcomes + " (the last ended after "
                + longest + " s); normal: " + normal.outcome() + " | - | - | " + (healthy ? "yes" : "NO") + " | - | "
                + (ok ? "PASS" : "**FAIL**" + (timedOut ? "" : ": the server kept a slow client for " + seconds + " s"))
                + " |");
    }

    private Http.Answer segments(String document, long[] tokens, List<int[]> spans) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("document", document);
        body.put("segment", 0);
        body.put("model", stack.model());
        body.put("tokens", tokens);
        body.put("sentences", spans);
        Map<String, String> headers = new LinkedHashMap<>(serviceHeaders());
        return http.postJson(stack.inference().baseUrl() + "/v1/segments", body, headers, TIMEOUT);
    }

    private Map<String, String> serviceHeaders() {
        return Map.of("Authorization", "Bearer " + stack.serviceToken(), "X-Baton-Tenant", other);
    }

    /** Every service answers its health check, and a small summary succeeds through the gateway. */
    private boolean healthyAfter() {
        boolean healthy = stack.nodes().stream().allMatch(Node::healthy);
        Http.Answer summary = http.postJson(stack.gateway().baseUrl() + "/v1/summaries",
                Map.of("text", "A first sentence of the follow-up. A second one, to pick from.", "sentences", 1),
                Map.of("X-API-Key", stack.key(owner)), TIMEOUT);
        return healthy && summary.status() == 200;
    }

    /** Every key in the run's Redis. */
    private Set<String> keys() {
        RedisClient client = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return new HashSet<>(connection.sync().keys("*"));
        } finally {
            RedisConnection.shutdown(client);
        }
    }

    private static String head(String method, String path, Map<String, String> headers, int contentLength) {
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Accept: application/json, application/problem+json\r\nConnection: close\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        if (contentLength > 0) {
            head.append("Content-Length: ").append(contentLength).append("\r\n");
        }
        return head.append("\r\n").toString();
    }

    /** A summary request whose text makes the JSON body {@code bytes} long. */
    private static byte[] hugeText(int bytes) {
        String prefix = "{\"text\":\"";
        String suffix = "\",\"sentences\":1}";
        StringBuilder text = new StringBuilder(bytes);
        String sentence = "Call me Ishmael and sail about a little. ";
        while (text.length() < bytes - prefix.length() - suffix.length() - sentence.length()) {
            text.append(sentence);
        }
        return (prefix + text + suffix).getBytes(StandardCharsets.UTF_8);
    }

    private static String contentType(Http.Answer answer) {
        String type = answer.header("content-type");
        return type == null ? "no body type" : type;
    }

    private static String abbreviate(Set<String> keys) {
        String all = String.join(" ", keys.stream().sorted().toList());
        return keys.size() + " keys (" + (all.length() > 120 ? all.substring(0, 120) + "..." : all) + ")";
    }

    private static void sleep(long seconds) {
        try {
            Thread.sleep(seconds * 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
