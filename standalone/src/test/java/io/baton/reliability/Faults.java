package io.baton.reliability;

import static org.awaitility.Awaitility.await;

import io.baton.common.redis.RedisConnection;
import io.baton.common.testing.DataFiles;
import io.baton.common.testing.RedisTestCluster;
import io.baton.common.testing.RedisTestSentinel;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.awaitility.core.ConditionTimeoutException;

/**
 * {@code bench/faults}: a document of many segments written through the documents API while a
 * part of the platform fails in the middle of it, compared with the same writes undisturbed.
 *
 * <p>The text (a passage of Moby Dick of {@code tokens} tokens with the zoo's byte-level
 * tokenizer) is first ingested whole, which gives its segments' ends; then each scenario writes it
 * again as an ingest of the first fifth followed by four appends, each cut at a segment end of the
 * whole ingest, so the segments, and the state, are those of the whole ingest. Once the head
 * passes the middle segment, during an append, the fault strikes:
 * <ul>
 *   <li>{@code memory}, {@code inference}: {@code kill -9} of that service, which is started again;</li>
 *   <li>{@code gateway}: {@code kill -9} of the gateway the writer uses; it goes on through the
 *       second gateway, and the first is started again;</li>
 *   <li>{@code redis-aof}: Redis killed and started again on its append-only file
 *       ({@code appendfsync everysec});</li>
 *   <li>{@code redis-none}: Redis killed and started again empty (no persistence); then a summary
 *       of the same text across the same kind of restart.</li>
 * </ul>
 * The failover scenarios each run on a replicated Redis of their own and a stack of their own
 * (memory, inference, two gateways again), and kill the primary that holds the document's slot
 * with {@code kill -9}, and a replica must be promoted (checked: every Sentinel, or every Cluster
 * node, names it, and it reports {@code role:master}); the dead node is then started again and
 * rejoins as a replica (without it a Cluster shard has none, and WAIT 1 fails every put from then
 * on). Each kills twice: once in the middle of the document, once in the middle of a summary of
 * the same text (checked against that summary undisturbed, on the same stack):
 * <ul>
 *   <li>{@code sentinel-kill}: a primary, two replicas and three Sentinels (quorum 2,
 *       {@link RedisTestSentinel}), the memory service on {@code redis-sentinel://...#baton};</li>
 *   <li>{@code cluster-kill}: a six-node Cluster, three primaries with a replica each
 *       ({@link RedisTestCluster}); the primary killed is the one {@code CLUSTER NODES} names for
 *       {@code CLUSTER KEYSLOT} of the document's head key;</li>
 *   <li>{@code sentinel-kill-wait}, {@code cluster-kill-wait}: the same with {@code
 *       baton.redis.wait-replicas=1};</li>
 *   <li>{@code sentinel-lost-write}: the Sentinel set-up without WAIT, where the replicas are cut
 *       off ({@link RedisTestSentinel#isolateReplicas}) {@link #LOST_SEGMENTS} segments before the
 *       kill: the primary acknowledges those checkpoints alone, and the replica promoted lacks them,
 *       as after a partition. It must have lost some, or nothing was tested.</li>
 * </ul>
 * With WAIT the document and the summary must complete as undisturbed (the strict check above);
 * without it, each must complete as undisturbed or the client must be told by a problem detail,
 * never get a different document or summary (the check of {@code redis-none}).
 * The writer is a careful client: on a 429 or 503 it waits the {@code Retry-After}, on a lost
 * connection a second, on a 409 it goes on; after any failure it reads the document ({@code GET})
 * and continues from its head, cut where that segment ends. What must hold: the final {@code
 * stateDigest} equals the undisturbed run's, the document has exactly the segments and tokens of
 * the text, one accepted write per segment ({@code version}, so nothing was stored twice), and
 * every successful call's segments continue the head before it. Without persistence the state is
 * gone: what must hold is that the client is told so by a problem detail and never gets a wrong
 * document or summary.
 *
 * <p>Arguments: tokens (default 50,000), scenarios (comma-separated, default all), model.
 * Prints a Markdown report; exits 1 when something did not hold.
 */
public final class Faults {

    static final String ALL = "memory,inference,gateway,redis-aof,redis-none";
    /** Scenarios on a replicated Redis of their own, asked for by name (not in the default). */
    static final String FAILOVER = "sentinel-kill,sentinel-kill-wait,sentinel-lost-write,cluster-kill,cluster-kill-wait";
    /** Segments the primary acknowledges alone in {@code sentinel-lost-write} before it is killed. */
    static final int LOST_SEGMENTS = 8;
    /** Failures a writer takes before it gives up on a scenario. */
    static final int MAX_FAILURES = 20;
    static final Duration CALL_TIMEOUT = Duration.ofMinutes(5);

    private final Stack stack;
    /** The Redis of the first five scenarios; null on a replicated Redis. */
    private final PrivateRedis redis;
    /** Where the fault watches the document's head: a URL a {@link RedisClient} takes, or a Cluster seed. */
    private final String watchUrl;
    private final boolean cluster;
    private final String tenant;
    private final Http http = new Http();
    private final String text;
    /** Character offset in {@link #text} where segment k of the whole ingest ends, at k + 1; 0 at 0. */
    private final long[] cuts;
    /** Tokens of the whole ingest's first k segments, at k. */
    private final long[] tokensBefore;
    private final int segments;
    private final String wholeDigest;
    /** The undisturbed run's state digest, once {@link #run} wrote it. */
    private String reference;

    /** One scenario's result: a row of the report. */
    record Row(String scenario, String sent, String events, String held, boolean ok) {
    }

    /** What a writer did: its calls and events, the document at the end, and what the fault did. */
    record Written(List<String> events, Map<String, Object> finalView, List<String> problems, boolean gaveUp,
                   String fault, long struckAt) {
    }

    /**
     * A fault waiting for a document's head, on its own thread; {@link #note()} says what it did and
     * {@link #struckAt()} at which head (-1: it never struck).
     */
    static final class Fault {

        private final CountDownLatch watching = new CountDownLatch(1);
        private Thread thread;
        private volatile String note = "no fault: the head never reached its segment";
        private volatile long struckAt = -1;

        void join() {
            try {
                thread.join(Duration.ofMinutes(5).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        String note() {
            return note;
        }

        long struckAt() {
            return struckAt;
        }
    }

    private Faults(Stack stack, PrivateRedis redis, String watchUrl, boolean cluster, String tenant, String text,
                   Map<String, Object> whole) {
        this.stack = stack;
        this.redis = redis;
        this.watchUrl = watchUrl;
        this.cluster = cluster;
        this.tenant = tenant;
        this.text = text;
        List<?> written = (List<?>) whole.get("written");
        segments = written.size();
        cuts = new long[segments + 1];
        tokensBefore = new long[segments + 1];
        for (int k = 0; k < segments; k++) {
            Map<?, ?> segment = (Map<?, ?>) written.get(k);
            cuts[k + 1] = Load.number(segment.get("end"));
            tokensBefore[k + 1] = tokensBefore[k] + Load.number(segment.get("tokens"));
        }
        wholeDigest = (String) ((Map<?, ?>) whole.get("document")).get("stateDigest");
    }

    public static void main(String[] args) throws Exception {
        int tokens = Integer.parseInt(Load.arg(args, 0, "50000"));
        List<String> scenarios = Arrays.asList(Load.arg(args, 1, ALL).split(","));
        String model = Load.arg(args, 2, "gemma2-tiny");
        List<String> failovers = Arrays.asList(FAILOVER.split(","));
        for (String scenario : scenarios) {
            if (!Arrays.asList(ALL.split(",")).contains(scenario) && !failovers.contains(scenario)) {
                throw new IllegalArgumentException("unknown scenario " + scenario + "; the scenarios: " + ALL + ","
                        + FAILOVER);
            }
        }
        String text = passage(tokens);
        Path logs = Files.createDirectories(Path.of("bench/out/logs/faults-" + Instant.now().getEpochSecond()));
        String tenant = "faults-" + UUID.randomUUID().toString().substring(0, 8);
        List<Row> rows;
        String reference;
        Map<String, Object> wholeView;
        try (PrivateRedis redis = PrivateRedis.start(true, logs);
             Stack stack = Stack.start(Stack.Mode.DISTRIBUTED, redis.url(), model, List.of(tenant), 2,
                     List.of("-Xmx768m"), logs)) {
            System.out.printf("# bench/faults: a %d-token document (%s), scenarios %s%n%n", tokens, model, scenarios);
            System.out.printf("Run %s on the distributed stack (memory, inference, two gateways: separate JVMs), "
                    + "Redis with appendonly yes, appendfsync everysec; services' logs in %s.%n%n", Instant.now(), logs);
            Http.Answer whole = new Http().postJson(stack.gateway().baseUrl() + "/v1/documents",
                    Map.of("text", text, "id", "whole", "model", model), Map.of("X-API-Key", stack.key(tenant)),
                    CALL_TIMEOUT);
            if (whole.status() != 201) {
                throw new IllegalStateException("the whole ingest failed: " + whole.outcome() + " " + whole.text());
            }
            wholeView = whole.json();
            Faults faults = new Faults(stack, redis, redis.url(), false, tenant, text, wholeView);
            rows = faults.run(scenarios.stream().filter(scenario -> !failovers.contains(scenario)).toList());
            reference = faults.reference;
        }
        for (String scenario : scenarios) {
            if (failovers.contains(scenario)) {
                rows.addAll(failover(scenario, model, tenant, text, wholeView, reference, logs));
            }
        }
        System.exit(report(rows, tokens, scenarios) ? 0 : 1);
    }

    /**
     * Scenario {@code scenario} of {@link #FAILOVER}: a replicated Redis and a stack of its own, the
     * document written while the primary of its slot is killed, checked against {@code reference};
     * then a summary of the text across a second such kill, against the same summary undisturbed.
     */
    private static List<Row> failover(String scenario, String model, String tenant, String text,
                                      Map<String, Object> whole, String reference, Path logs) throws Exception {
        boolean onCluster = scenario.startsWith("cluster");
        boolean waits = scenario.endsWith("-wait");
        boolean loses = scenario.endsWith("-lost-write");
        Map<String, String> memoryEnv = new LinkedHashMap<>(Map.of("BATON_REDIS_MODE", onCluster ? "cluster" : "sentinel"));
        if (waits) {
            memoryEnv.put("BATON_REDIS_WAITREPLICAS", "1");
        }
        RedisTestCluster redisCluster = onCluster ? new RedisTestCluster() : null;
        RedisTestSentinel sentinel = onCluster ? null : new RedisTestSentinel();
        try {
            String url;
            String watchUrl;
            if (onCluster) {
                redisCluster.beforeAll(null);
                url = redisCluster.seeds();
                watchUrl = "redis://127.0.0.1:" + redisCluster.ports().get(0);
            } else {
                sentinel.beforeAll(null);
                url = sentinel.url();
                watchUrl = url;
            }
            try (Stack stack = Stack.start(Stack.Mode.DISTRIBUTED, url, model, List.of(tenant), 2, List.of("-Xmx768m"),
                    Map.of(), memoryEnv, Files.createDirectories(logs.resolve(scenario)))) {
                Faults faults = new Faults(stack, null, watchUrl, onCluster, tenant, text, whole);
                List<Row> rows = new ArrayList<>();
                for (boolean summary : new boolean[] {false, true}) {
                    // What the kill did: "primary P killed, replica Q promoted", or why no replica was.
                    AtomicReference<String> promotion = new AtomicReference<>("the primary was never killed");
                    // sentinel-lost-write: the checkpoints acknowledged by the primary alone and lost with it.
                    AtomicLong lost = new AtomicLong(-1);
                    Consumer<String> kill = key -> {
                        try {
                            int dead;
                            if (loses) {
                                dead = faults.loseWrites(sentinel, key, promotion, lost);
                            } else {
                                dead = onCluster ? redisCluster.primaryOf(key) : sentinel.primaryPort();
                                int promoted = onCluster ? redisCluster.crashPrimaryOf(key) : sentinel.crashPrimary();
                                promotion.set("primary " + dead + " killed, replica " + promoted + " promoted");
                            }
                            // Started again, the dead node rejoins as a replica: with one replica per shard
                            // (the Cluster) WAIT 1 could never be met without it, and the summary's kill
                            // then finds the set-up as the document's did.
                            if (onCluster) {
                                redisCluster.restart(dead);
                            } else {
                                sentinel.restart(dead);
                            }
                            promotion.set(promotion.get() + ", " + dead + " back as a replica");
                        } catch (IOException | RuntimeException e) {
                            promotion.set(promotion.get().startsWith("the primary was never") ? "NO REPLICA PROMOTED: "
                                    + e.getMessage() : promotion.get() + "; the dead node did not rejoin: " + e.getMessage());
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            promotion.set("interrupted while waiting for a promotion");
                        }
                    };
                    String note = "kill -9 of the primary of the document's slot at head %s"
                            + (loses ? " with the replicas cut off " + LOST_SEGMENTS + " segments before" : "")
                            + ", a replica promoted and the dead node back as a replica after %d s";
                    Row row;
                    if (summary) {
                        row = faults.summaryAcross(scenario + ": summary", note, kill, waits);
                    } else {
                        Written written = faults.write(scenario, faults.segments / 2, note, kill);
                        row = waits ? faults.check(scenario, written, reference)
                                : faults.checkLost(scenario, written, reference);
                    }
                    boolean promoted = promotion.get().contains(" promoted") && !promotion.get().startsWith("NO ");
                    String what = promotion.get() + (loses && lost.get() <= 0
                            ? "; NOTHING WAS LOST: the branch under test did not happen" : "");
                    rows.add(new Row(row.scenario(), row.sent(), row.events(), what + "; " + row.held(),
                            row.ok() && promoted && (!loses || lost.get() > 0)));
                }
                return rows;
            }
        } finally {
            if (onCluster) {
                redisCluster.afterAll(null);
            } else {
                sentinel.afterAll(null);
            }
        }
    }

    /**
     * The fault of {@code sentinel-lost-write}: the replicas cut off ({@link
     * RedisTestSentinel#isolateReplicas}) while the primary goes on acknowledging {@link
     * #LOST_SEGMENTS} more checkpoints of the document whose head is {@code key}, then the primary
     * killed and the replicas resumed, so that the one promoted lacks them. {@code lost} gets how
     * many acknowledged checkpoints the promoted primary lacks. Returns the killed primary's port.
     */
    private int loseWrites(RedisTestSentinel sentinel, String key, AtomicReference<String> promotion, AtomicLong lost)
            throws IOException, InterruptedException {
        int old = sentinel.primaryPort();
        long cutAt;
        long acknowledged;
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + old);
        try (StatefulRedisConnection<String, String> primary = client.connect()) {
            cutAt = head(primary, key);
            List<Integer> replicas = sentinel.isolateReplicas();
            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> head(primary, key),
                        head -> head >= cutAt + LOST_SEGMENTS || head >= segments - 2);
            } catch (ConditionTimeoutException e) {
                // the writer stalled: kill all the same; the row says how many were lost, and fails on none
            }
            acknowledged = head(primary, key);
            primary.close();   // before the kill: no reconnecting to a dead node meanwhile
            int promoted = sentinel.crashPrimary(() -> sentinel.resumeReplicas(replicas));
            long survived = headOn(promoted, key);
            lost.set(acknowledged - survived);
            promotion.set("replicas cut off at head " + cutAt + ", primary " + old + " acknowledged up to head "
                    + acknowledged + " alone, killed; replica " + promoted + " promoted with head " + survived + " ("
                    + (acknowledged - survived) + " acknowledged checkpoints lost)");
        } finally {
            RedisConnection.shutdown(client);
        }
        return old;
    }

    /** The {@code segment} field of hash {@code key} on the Redis at {@code port}; -1 when there is none. */
    private static long headOn(int port, String key) {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + port);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return head(connection, key);
        } finally {
            RedisConnection.shutdown(client);
        }
    }

    /** The {@code segment} field of hash {@code key} on {@code connection}'s Redis; -1 when there is none. */
    private static long head(StatefulRedisConnection<String, String> connection, String key) {
        String segment = connection.sync().hget(key, "segment");
        return segment == null ? -1 : Long.parseLong(segment);
    }

    private List<Row> run(List<String> scenarios) {
        List<Row> rows = new ArrayList<>();
        Written baseline = write("undisturbed", 0, null, null);
        rows.add(check("none (the reference)", baseline, wholeDigest));
        reference = (String) baseline.finalView().get("stateDigest");
        for (String scenario : scenarios) {
            Consumer<String> fault = switch (scenario) {
                case "memory" -> key -> restart(stack.memory());
                case "inference" -> key -> restart(stack.inference());
                case "gateway" -> key -> restart(stack.gateways().get(0));
                case "redis-aof" -> key -> redis.crashAndRestart();
                case "redis-none" -> key -> redis.crashAndRestartEmpty();
                default -> throw new IllegalArgumentException(scenario);
            };
            String id = scenario;
            Written written = write(id, segments / 2, describe(scenario), fault);
            if (scenario.equals("redis-none")) {
                rows.add(checkLost("redis-none: documents API", written, reference));
                rows.add(summaryAcross("redis-none: summary", describe("redis-none"),
                        key -> redis.crashAndRestartEmpty(), false));
            } else {
                rows.add(check(scenario, written, reference));
            }
            awaitAllHealthy();
        }
        return rows;
    }

    /** Prints the rows as a Markdown table with the command of each; answers whether all held. */
    private static boolean report(List<Row> rows, int requested, List<String> scenarios) {
        StringBuilder out = new StringBuilder("| scenario | what was sent | what the client saw | what held | result "
                + "| command |\n|---|---|---|---|---|---|\n");
        for (Row row : rows) {
            String scenario = row.scenario().replaceAll("[: ].*", "");
            String command = "`bench/faults " + requested + " "
                    + (scenario.equals("none") ? String.join(",", scenarios) : scenario) + "`";
            out.append("| ").append(row.scenario()).append(" | ").append(row.sent()).append(" | ")
                    .append(row.events()).append(" | ").append(row.held()).append(" | ")
                    .append(row.ok() ? "PASS" : "**FAIL**").append(" | ").append(command).append(" |\n");
        }
        boolean ok = rows.stream().allMatch(Row::ok);
        out.append("\n").append(ok ? "**PASS**: every scenario held.\n" : "**FAIL**: see the rows marked FAIL.\n");
        System.out.print(out);
        return ok;
    }

    /**
     * Writes the text as document {@code id}: an ingest of the first fifth, then appends of a fifth
     * each, all cut at the whole ingest's segment ends; when {@code fault} is given it runs (on its
     * own thread) once the head reaches segment {@code faultAt}. The writer goes through the first
     * gateway, the second after a lost connection.
     */
    private Written write(String id, int faultAt, String faultName, Consumer<String> fault) {
        List<String> events = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int[] boundaries = new int[6];
        for (int i = 0; i <= 5; i++) {
            boundaries[i] = segments * i / 5;
        }
        Fault faulting = fault == null ? null : watchKey("baton:{" + tenant + ":" + id + "}:head", faultAt, faultName,
                fault);
        int gateway = 0;
        int head = 0;
        int failures = 0;
        boolean started = false;
        while (head < segments && failures <= MAX_FAILURES) {
            int next = head;
            for (int b : boundaries) {
                if (b > head) {
                    next = b;
                    break;
                }
            }
            String slice = text.substring((int) cuts[head], (int) cuts[next]);
            String base = stack.gateways().get(gateway).baseUrl();
            Map<String, String> headers = Map.of("X-API-Key", stack.key(tenant));
            Http.Answer answer = started
                    ? http.postJson(base + "/v1/documents/" + id + ":append", Map.of("text", slice), headers, CALL_TIMEOUT)
                    : http.postJson(base + "/v1/documents", Map.of("text", slice, "id", id, "model", stack.model()),
                            headers, CALL_TIMEOUT);
            String call = (started ? "append " : "ingest ") + head + ".." + (next - 1) + " via g" + (gateway + 1);
            if (answer.status() == 200 || answer.status() == 201) {
                List<?> written = (List<?>) answer.json().get("written");
                long first = written.isEmpty() ? -1 : Load.number(((Map<?, ?>) written.get(0)).get("index"));
                long last = written.isEmpty() ? -1 : Load.number(((Map<?, ?>) written.get(written.size() - 1)).get("index"));
                if (first != head || last != next - 1 || written.size() != next - head) {
                    problems.add(call + " wrote segments " + first + ".." + last + " (" + written.size() + ")");
                }
                events.add(call + ": " + answer.status());
                head = next;
                started = true;
                continue;
            }
            failures++;
            events.add(call + ": " + answer.outcome());
            if (answer.status() == 0) {
                gateway = stack.gateways().size() > 1 ? 1 - gateway : gateway;
                sleep(1);
            } else if (answer.status() == 429 || answer.status() == 503) {
                if (answer.header("Retry-After") == null) {
                    problems.add(call + ": " + answer.outcome() + " without Retry-After");
                }
                sleep(answer.header("Retry-After") == null ? 1 : Load.seconds(answer.header("Retry-After")));
            }
            // Where is the document? Read it (through a gateway that answers) and go on from its head.
            Http.Answer view = readView(id, gateway, events);
            if (view.status() == 404) {
                if (!started) {
                    continue;
                }
                events.add("GET: 404 " + view.problem() + " (the document is gone)");
                break;
            }
            if (view.status() != 200) {
                problems.add("GET of the document never answered 200: " + view.outcome());
                break;
            }
            started = true;
            long stored = Load.number(view.json().get("segments"));
            long tokens = Load.number(view.json().get("tokens"));
            if (stored < 0 || stored > segments || tokens != tokensBefore[(int) Math.max(0, stored)]) {
                problems.add("GET after a failure: " + stored + " segments, " + tokens + " tokens: not at a segment end");
                break;
            }
            events.add("GET: head " + (stored - 1));
            head = (int) stored;
        }
        if (faulting != null) {
            faulting.join();
        }
        Http.Answer last = readView(id, 0, events);
        return new Written(events, last.status() == 200 ? last.json() : Map.of("status", last.outcome()), problems,
                failures > MAX_FAILURES, faulting == null ? "" : faulting.note(),
                faulting == null ? -1 : faulting.struckAt());
    }

    /** {@code GET /v1/documents/{id}}, through any gateway that answers, for up to three minutes. */
    private Http.Answer readView(String id, int preferred, List<String> events) {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        Http.Answer view = Http.Answer.failed("no gateway answered");
        for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
            int gateway = (preferred + attempt) % stack.gateways().size();
            view = http.get(stack.gateways().get(gateway).baseUrl() + "/v1/documents/" + id,
                    Map.of("X-API-Key", stack.key(tenant)), Duration.ofSeconds(30));
            if (view.status() == 200 || view.status() == 404) {
                return view;
            }
            sleep(view.status() == 429 || view.status() == 503 ? Math.max(1, Load.seconds(
                    String.valueOf(view.header("Retry-After") == null ? "1" : view.header("Retry-After")))) : 1);
        }
        events.add("GET: " + view.outcome());
        return view;
    }

    /**
     * Runs {@code fault} on a thread of its own once the head of a document whose head key matches
     * {@code pattern} (read in Redis every 20 ms) reaches {@code segment}.
     */
    private Fault watchKey(String pattern, int segment, String note, Consumer<String> fault) {
        Fault watch = new Fault();
        watch.thread = new Thread(() -> {
            AbstractRedisClient client = cluster ? RedisClusterClient.create(watchUrl) : RedisClient.create(watchUrl);
            try (StatefulConnection<String, String> connection = cluster ? ((RedisClusterClient) client).connect()
                    : ((RedisClient) client).connect()) {
                // KEYS on a Cluster connection asks every primary.
                RedisClusterCommands<String, String> commands = cluster
                        ? ((StatefulRedisClusterConnection<String, String>) connection).sync()
                        : ((StatefulRedisConnection<String, String>) connection).sync();
                watch.watching.countDown();
                long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                while (System.nanoTime() < deadline) {
                    for (String key : commands.keys(pattern)) {
                        String head = commands.hget(key, "segment");
                        if (head != null && Long.parseLong(head) >= segment) {
                            connection.close();
                            long started = System.nanoTime();
                            watch.struckAt = Long.parseLong(head);
                            fault.accept(key);
                            watch.note = String.format(note, head, (System.nanoTime() - started) / 1_000_000_000);
                            return;
                        }
                    }
                    Thread.sleep(20);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                watch.watching.countDown();
                RedisConnection.shutdown(client);
            }
        }, "fault");
        watch.thread.start();
        // Connecting takes a moment: the writes start only once the head is being watched.
        try {
            watch.watching.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return watch;
    }

    /** What the fault does, as a format of the head it struck at and the seconds until all was back. */
    private static String describe(String scenario) {
        return switch (scenario) {
            case "memory", "inference" -> "kill -9 of " + scenario + " at head %s, healthy again after %d s";
            case "gateway" -> "kill -9 of gateway 1 at head %s, restarted and healthy after %d s";
            case "redis-aof" -> "kill -9 of Redis at head %s, restarted on its AOF after %d s";
            default -> "kill -9 of Redis at head %s, restarted empty after %d s";
        };
    }

    private Row check(String scenario, Written written, String reference) {
        Map<String, Object> view = written.finalView();
        List<String> held = new ArrayList<>();
        List<String> broken = new ArrayList<>(written.problems());
        String digest = (String) view.get("stateDigest");
        long stored = Load.number(view.get("segments"));
        long version = Load.number(view.get("version"));
        long tokens = Load.number(view.get("tokens"));
        (reference != null && reference.equals(digest) ? held : broken).add("digest "
                + (reference != null && reference.equals(digest) ? "= undisturbed" : digest + " != " + reference));
        (stored == segments ? held : broken).add(stored + "/" + segments + " segments");
        (version == segments ? held : broken).add("version " + version + " (one write per segment)");
        (tokens == tokensBefore[segments] ? held : broken).add(tokens + " tokens");
        if (written.gaveUp()) {
            broken.add("gave up after " + MAX_FAILURES + " failures");
        }
        if (!written.fault().isEmpty() && !midDocument(written.struckAt())) {
            broken.add("the fault did not strike in the middle of the document (at head " + written.struckAt()
                    + " of " + segments + "): nothing was tested; give more tokens");
        }
        if (broken.isEmpty()) {
            held.add("each call's segments continue the head");
        }
        return new Row(scenario, sent(written), events(written),
                String.join(", ", held) + (broken.isEmpty() ? "" : "; BROKEN: " + String.join(", ", broken)),
                broken.isEmpty());
    }

    /**
     * Without persistence the document is gone after the restart: the client must learn that
     * from a problem detail, and a document that still answers must not hold a state other
     * than the undisturbed one.
     */
    private Row checkLost(String scenario, Written written, String reference) {
        Map<String, Object> view = written.finalView();
        String digest = (String) view.get("stateDigest");
        boolean told = written.events().stream().anyMatch(e -> e.matches(".*: (4|5)\\d\\d [a-z-]+.*"));
        boolean wrong = digest != null && !digest.equals(reference);
        boolean whole = digest != null && digest.equals(reference) && Load.number(view.get("version")) == segments;
        boolean ok = !wrong && (told || whole) && written.problems().isEmpty() && midDocument(written.struckAt());
        String held = (digest == null ? "final GET: " + view.getOrDefault("status", "no state")
                : "final GET: " + Load.number(view.get("segments")) + " segments, version " + Load.number(view.get("version"))
                + ", digest " + (wrong ? digest + " != undisturbed (SILENTLY WRONG)" : "= undisturbed"))
                + (told ? "; the client was told by a problem detail" : "; no problem detail reached the client")
                + (written.problems().isEmpty() ? "" : "; " + String.join(", ", written.problems()))
                + (midDocument(written.struckAt()) ? "" : "; the fault did not strike in the middle: nothing was tested");
        return new Row(scenario, sent(written), events(written), held, ok);
    }

    /**
     * A summary of the text, undisturbed, then the same summary while {@code fault} strikes (given
     * the summary document's head key) once that document's head passes the middle. {@code strict}:
     * it must come back equal to the undisturbed one; otherwise a problem detail will also do, never
     * a different summary.
     */
    private Row summaryAcross(String label, String note, Consumer<String> fault, boolean strict) {
        Map<String, String> headers = Map.of("X-API-Key", stack.key(tenant));
        Map<String, Object> request = Map.of("text", text, "model", stack.model(), "sentences", 5);
        Http.Answer reference = http.postJson(stack.gateway().baseUrl() + "/v1/summaries", request, headers, CALL_TIMEOUT);
        if (reference.status() != 200) {
            return new Row(label, "POST /v1/summaries of the text", reference.outcome(),
                    "the undisturbed summary failed", false);
        }
        Fault faulting = watchKey("baton:{" + tenant + ":summary-*}:head", segments / 2, note, fault);
        Http.Answer answer = http.postJson(stack.gateway().baseUrl() + "/v1/summaries", request, headers, CALL_TIMEOUT);
        faulting.join();
        String held;
        boolean ok;
        if (!midDocument(faulting.struckAt())) {
            ok = false;
            held = "the fault did not strike in the middle of the summary (at head " + faulting.struckAt()
                    + "): nothing was tested";
        } else if (answer.status() == 200) {
            ok = answer.json().get("summary").equals(reference.json().get("summary"));
            held = ok ? "200 with the undisturbed summary" : "200 with a summary other than the undisturbed one (SILENTLY WRONG)";
        } else {
            ok = !strict && answer.isProblem();
            held = answer.isProblem() ? "a problem detail: " + answer.outcome() + (strict ? " (the undisturbed summary was due)" : "")
                    : "no problem detail: " + answer.outcome() + " " + Load.abbreviate(answer.text());
        }
        return new Row(label, "POST /v1/summaries of the text (" + segments + " segments)",
                faulting.note() + "; " + answer.outcome(), held, ok);
    }

    /** Whether a fault that struck at {@code head} came before the document's last segment. */
    private boolean midDocument(long head) {
        return head >= 0 && head < segments - 1;
    }

    private static String events(Written written) {
        return (written.fault().isEmpty() ? "" : "[" + written.fault() + "] ") + String.join("; ", written.events());
    }

    private String sent(Written written) {
        return "ingest of segments 0.." + (segments / 5 - 1) + ", 4 appends (" + segments + " segments, "
                + tokensBefore[segments] + " tokens in all), " + written.events().stream()
                .filter(e -> e.startsWith("ingest") || e.startsWith("append")).count() + " calls";
    }

    private void restart(Node node) {
        node.kill();
        node.restart();
    }

    private void awaitAllHealthy() {
        for (Node node : stack.nodes()) {
            if (!node.alive()) {
                node.restart();
            }
            node.awaitHealthy();
        }
    }

    /** A passage of Moby Dick of {@code tokens} UTF-8 bytes (= tokens of the zoo's byte-level models), or a few less. */
    static String passage(int tokens) {
        String book = DataFiles.mobyDick();
        StringBuilder passage = new StringBuilder();
        int size = 0;
        for (int i = 100_000; i < book.length(); ) {
            int codePoint = book.codePointAt(i);
            int length = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
            if (size + length > tokens) {
                break;
            }
            passage.appendCodePoint(codePoint);
            size += length;
            i += Character.charCount(codePoint);
        }
        return passage.toString();
    }

    private static void sleep(long seconds) {
        try {
            Thread.sleep(Duration.ofSeconds(Math.max(0, seconds)).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
