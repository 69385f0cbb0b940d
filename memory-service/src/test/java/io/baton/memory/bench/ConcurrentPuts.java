package io.baton.memory.bench;

import io.baton.common.redis.RedisConnection;
import io.baton.common.redis.RedisSettings;
import io.baton.common.state.DType;
import io.baton.common.state.StateCodec;
import io.baton.common.state.StateContainer;
import io.baton.common.testing.Meters;
import io.baton.memory.Checkpoints;
import io.baton.memory.MemoryServer;
import io.baton.memory.checkpoints.CheckpointService;
import io.baton.memory.store.CheckpointRecord;
import io.baton.memory.store.DocumentKey;
import io.baton.memory.store.StorePolicy;
import io.baton.memory.store.redis.RedisCheckpointStore;
import io.baton.protocol.client.ClientSettings;
import io.baton.protocol.memory.HttpMemoryClient;
import io.baton.protocol.memory.MemoryClient;
import io.lettuce.core.SetArgs;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Benchmark, not a test: C writers at once (1, 8, 32 by default), each writing its own document's
 * checkpoints n = 0, 1, 2, ... back to back, every one a valid state container of about 668 KB
 * (eight F32 tensors and the {@code baton.*} metadata, encoded per put as the inference service
 * does: {@code StateCodec.write} of the state's tensors), each write naming the previous one's
 * digest as its parent. Side by side in one run, arm after arm for each C, on the same Redis:
 * <ol>
 *   <li><b>service/HTTP</b>: {@code PUT} through the memory service (in this JVM, Redis store,
 *       default settings) with the project's {@link HttpMemoryClient};
 *   <li><b>service in-process</b>: the same service's {@link CheckpointService#write} called
 *       directly (validation, digest, store; no HTTP);
 *   <li><b>put commands, 1 conn</b>: the Redis commands the store issues for a put (staging
 *       {@code SET PX}, {@code EVALSHA put.lua}, {@code EVALSHA index-set.lua}) through the store's
 *       own code on one shared Lettuce connection (as the service has), the digest computed before
 *       the clock starts: Redis and Lettuce only;
 *   <li><b>put commands, C conns</b>: the same with one Lettuce connection per writer;
 *   <li><b>plain SET, 1 conn</b>: one Lettuce {@code SET} of the same bytes per put, one shared
 *       connection: the floor of moving 668 KB into Redis;
 *   <li><b>service/HTTP, 2 ahead</b> and <b>4 ahead</b>: as the first arm, but each writer keeps up
 *       to 2 (4) puts in flight, each sent before the previous one is answered and naming the digest
 *       that one gets when stored as sent, with {@code X-Baton-Parent-Wait-Ms} (puts ahead, as the
 *       inference service makes them with {@code baton.segments.put-ahead-wait}): the memory service
 *       holds a put until its parent is stored. Their latency column is the writer's wait for a free
 *       place in its window, not a put's own time.
 * </ol>
 * For each cell: puts/s, MB/s (container bytes), per-put latency (median, p90, p99), and CPU per
 * put: this whole JVM's, split by thread group (the service's HTTP event loops, the HTTP client's,
 * Lettuce's I/O threads, the service's encoding scheduler, the writers themselves, and the rest:
 * JIT, GC, other threads), and the Redis server's ({@code INFO cpu}); for the service/HTTP arms, the
 * memory service's looks at a head per put ({@code baton.state.store.duration}, operation head:
 * what a put ahead does while it waits). Ratios against the put commands on one connection are
 * printed last.
 *
 * <p>Usage: {@code ConcurrentPuts [seconds-per-cell] [writers,...]} (defaults 3 and 1,8,32);
 * Redis from {@code BATON_REDIS_URL} (default redis://127.0.0.1:6379); {@code -Dbench.arms=0,2} runs only
 * those arms (by their index above, from 0), for profiling one. Run it through
 * {@code bench/memory-concurrent-puts}. {@code -Dbench.memory.url=http://...} sends the service/HTTP arm's puts
 * to a memory service running elsewhere (its CPU is then not in the JVM columns).
 */
public final class ConcurrentPuts {

    /** Eight F32 state tensors of this many elements: a 667,xxx-byte container, like jamba-bench's. */
    private static final int TENSORS = 8;
    private static final int ELEMENTS = 20_850;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /**
     * Threads by name: the service's HTTP event loops, the client's, Lettuce's I/O threads (both
     * the service's and the bench's), the service's encoding scheduler, the writers.
     */
    private static final String[] GROUPS = {"webflux-http", "reactor-http", "lettuce-", "baton-encoding", "writer-"};

    private ConcurrentPuts() {
    }

    /** One way of writing checkpoint n of a document. */
    private interface Arm {
        String name();

        /** Writer {@code w}'s put of {@code container} (checkpoint n of {@code document}); returns the parent for n+1. */
        String put(int w, String document, long n, byte[] container, String parent);

        /** Writer {@code w} has put its last checkpoint of the cell: its puts still in flight are answered. */
        default void finish(int w) {
        }
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3.0;
        int[] writers = args.length > 1 ? Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {1, 8, 32};
        int most = Arrays.stream(writers).max().orElse(1);
        String url = System.getenv().getOrDefault("BATON_REDIS_URL", "redis://127.0.0.1:6379");
        String tenant = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        RedisSettings settings = RedisSettings.of("bench", url, null, Duration.ofSeconds(10), true);
        StorePolicy policy = new StorePolicy(3, Duration.ofDays(7), 0);
        List<RedisCheckpointStore> perWriter = new ArrayList<>();
        try (MemoryServer server = MemoryServer.start(Map.of("baton.store.kind", "redis", "baton.redis.url", url,
                     "logging.level.root", "warn"));
             RedisConnection shared = RedisConnection.open(settings)) {
            // -Dbench.memory.url: the service/HTTP arm puts to that memory service instead (e.g. one in a JVM of
            // its own with the deployed heap); the in-process arm still uses this JVM's
            String target = System.getProperty("bench.memory.url", server.baseUrl());
            MemoryClient client = HttpMemoryClient.create(new ClientSettings(target, TIMEOUT, 0,
                    Duration.ZERO, null, null, null), 64 << 20);
            CheckpointService service = server.bean(CheckpointService.class);
            RedisCheckpointStore sharedStore = new RedisCheckpointStore(shared, policy);
            for (int w = 0; w < most; w++) {
                perWriter.add(RedisCheckpointStore.open(settings, policy));
            }
            RedisConnection setConnection = shared;
            List<Arm> arms = List.of(
                    arm("service/HTTP", (w, doc, n, bytes, parent) ->
                            client.put(tenant, doc, n, bytes, parent).block(TIMEOUT).digest()),
                    arm("service in-process", (w, doc, n, bytes, parent) ->
                            service.write(new DocumentKey(tenant, doc), n, bytes, parent).block(TIMEOUT).digest()),
                    arm("put commands, 1 conn", (w, doc, n, bytes, parent) ->
                            storePut(sharedStore, tenant, doc, n, bytes, parent)),
                    arm("put commands, C conns", (w, doc, n, bytes, parent) ->
                            storePut(perWriter.get(w), tenant, doc, n, bytes, parent)),
                    arm("plain SET, 1 conn", (w, doc, n, bytes, parent) -> {
                        setConnection.commands().flatMap(c -> c.set("baton:{" + tenant + ":" + doc + "}:raw", bytes,
                                SetArgs.Builder.px(60_000))).block(TIMEOUT);
                        return null;
                    }),
                    new Ahead(client, tenant, 2, most),
                    new Ahead(client, tenant, 4, most));
            String only = System.getProperty("bench.arms", "");
            if (!only.isEmpty()) {   // -Dbench.arms=0,2: only those arms (for profiling one); no ratios
                List<Integer> picked = Arrays.stream(only.split(",")).map(Integer::valueOf).toList();
                arms = picked.stream().map(arms::get).toList();
            }
            State[] states = new State[most];
            for (int w = 0; w < most; w++) {
                states[w] = new State(w);
            }
            // warm-up: every arm at 8 writers (the JIT, Lettuce's and Netty's buffers, Redis)
            for (int round = 0; round < 2; round++) {
                for (Arm arm : arms) {
                    run(arm, Math.min(8, most), 4.0, tenant, "warm" + round, states, client, shared, target);
                }
            }
            System.err.println("warmed up");
            StringBuilder table = new StringBuilder()
                    .append("| writers | arm | puts | puts/s | MB/s | p50 (ms) | p90 (ms) | p99 (ms) "
                            + "| JVM CPU per put (ms) | of it: server loops / client loops / Lettuce / encoding "
                            + "/ writers / rest (JIT, GC) | Redis CPU per put (ms) | the memory service's looks at a head "
                            + "per put |\n")
                    .append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            StringBuilder ratios = new StringBuilder()
                    .append("| writers | service/HTTP p50 / put commands (1 conn) p50 | put commands (1 conn) puts/s "
                            + "/ service/HTTP puts/s | in-process p50 / put commands p50 | put commands: 1 conn p50 "
                            + "/ C conns p50 | put commands p50 / plain SET p50 |\n")
                    .append("|---:|---:|---:|---:|---:|---:|\n");
            for (int c : writers) {
                Result[] results = new Result[arms.size()];
                for (int a = 0; a < arms.size(); a++) {
                    results[a] = run(arms.get(a), c, seconds, tenant, "c" + c, states, client, shared, target);
                    table.append(results[a].row(c, arms.get(a).name()));
                    System.err.println("done: " + c + " writers, " + arms.get(a).name());
                }
                if (!only.isEmpty()) {
                    continue;
                }
                ratios.append(String.format(Locale.ROOT, "| %d | %.2f | %.2f | %.2f | %.2f | %.2f |%n", c,
                        results[0].p(0.5) / results[2].p(0.5), results[2].putsPerSecond() / results[0].putsPerSecond(),
                        results[1].p(0.5) / results[2].p(0.5), results[2].p(0.5) / results[3].p(0.5),
                        results[2].p(0.5) / results[4].p(0.5)));
            }
            System.out.println("Concurrent checkpoint puts (" + states[0].container(tenant, "x", 0).length
                    + "-byte containers), " + LocalDate.now() + ", " + Runtime.getRuntime().availableProcessors()
                    + " cores, Redis " + url + ", " + seconds + " s per cell\n");
            System.out.println(table);
            System.out.print(ratios);
        } finally {
            perWriter.forEach(RedisCheckpointStore::close);
        }
    }

    private static Arm arm(String name, Put put) {
        return new Arm() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String put(int w, String document, long n, byte[] container, String parent) {
                return put.put(w, document, n, container, parent);
            }
        };
    }

    private interface Put {
        String put(int w, String document, long n, byte[] container, String parent);
    }

    /** The store's put with the digest computed before (what the service adds on top is not timed here). */
    private static String storePut(RedisCheckpointStore store, String tenant, String doc, long n, byte[] bytes,
                                   String parent) {
        // the digest is part of the record, computed by the caller before the clock starts: see State
        CheckpointRecord record = State.RECORDS.get().record;
        return store.put(new DocumentKey(tenant, doc), record.withParent(parent)).block(TIMEOUT).digest();
    }

    /**
     * Runs {@code arm} with {@code c} writers for {@code seconds}, each on a fresh document, then
     * deletes the documents (untimed).
     */
    private static Result run(Arm arm, int c, double seconds, String tenant, String label, State[] states,
                              MemoryClient client, RedisConnection redis, String memoryUrl) throws InterruptedException {
        long[][] latencies = new long[c][];
        int[] counts = new int[c];
        String run = label + "-" + arm.name().replaceAll("[^a-zA-Z0-9]", "") + "-" + UUID.randomUUID().toString()
                .substring(0, 6);
        CountDownLatch ready = new CountDownLatch(c);
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        AtomicLong writersCpu = new AtomicLong();
        long[] window = new long[2];
        Thread[] threads = new Thread[c];
        for (int w = 0; w < c; w++) {
            int writer = w;
            threads[w] = new Thread(() -> {
                State state = states[writer];
                String doc = run + "-w" + writer;
                long[] mine = new long[1 << 16];
                int count = 0;
                String parent = null;
                ready.countDown();
                long cpuStart = 0;
                try {
                    go.await();
                    cpuStart = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                    long end = window[1];
                    for (long n = 0; System.nanoTime() < end && count < mine.length; n++) {
                        byte[] container = state.container(tenant, doc, n);   // encode, as the inference service does
                        if (arm.name().startsWith("put commands")) {   // the digest, before the clock starts
                            State.RECORDS.set(new Holder(new CheckpointRecord(n, 64 * (n + 1), Checkpoints.MODEL,
                                    Checkpoints.DIGEST, container.length, container)));
                        }
                        long start = System.nanoTime();
                        parent = arm.put(writer, doc, n, container, parent);
                        mine[count++] = System.nanoTime() - start;
                    }
                    arm.finish(writer);
                } catch (Throwable e) {
                    failed.compareAndSet(null, e);
                } finally {
                    writersCpu.addAndGet(ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuStart);
                    latencies[writer] = Arrays.copyOf(mine, count);
                    counts[writer] = count;
                }
            }, "writer-" + w);
            threads[w].start();
        }
        ready.await();
        Meters memoryBefore = Meters.scrape(memoryUrl);
        long cpuBefore = processCpuNanos();
        long[] threadsBefore = threadCpuNanos();
        double redisBefore = redisCpuSeconds(redis);
        window[0] = System.nanoTime();
        window[1] = window[0] + (long) (seconds * 1e9);
        go.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        long elapsed = System.nanoTime() - window[0];
        long cpu = processCpuNanos() - cpuBefore;
        long[] byGroup = threadCpuNanos();
        for (int g = 0; g < byGroup.length; g++) {
            byGroup[g] -= threadsBefore[g];
        }
        byGroup[GROUPS.length - 1] = writersCpu.get();   // ended by now: each counted itself
        double redisCpu = redisCpuSeconds(redis) - redisBefore;
        Meters memory = Meters.scrape(memoryUrl);
        double looks = memory.minus(memoryBefore, "baton_state_store_duration_seconds_count", "operation", "head");
        double httpPuts = memory.minus(memoryBefore, "http_server_requests_seconds_count", "method", "PUT");
        if (failed.get() != null) {
            throw new IllegalStateException(arm.name() + " failed", failed.get());
        }
        for (int w = 0; w < c; w++) {
            client.delete(tenant, run + "-w" + w).block(TIMEOUT);
        }
        return new Result(latencies, elapsed, states[0].size, cpu, byGroup, redisCpu, httpPuts > 0 ? looks / httpPuts : -1);
    }

    /** CPU time of this whole JVM (service, client, writers, Lettuce). */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /**
     * CPU time of this JVM's live threads by {@link #GROUPS} (a thread that ended during the cell
     * is missed: the writers are counted while they still run).
     */
    private static long[] threadCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] byGroup = new long[GROUPS.length];
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            for (int g = 0; g < GROUPS.length; g++) {
                if (info.getThreadName().startsWith(GROUPS[g])) {
                    byGroup[g] += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
                    break;
                }
            }
        }
        return byGroup;
    }

    /** used_cpu_sys + used_cpu_user of the Redis server (all its threads), from INFO. */
    private static double redisCpuSeconds(RedisConnection redis) {
        String info = redis.commands().flatMap(c -> c.info("cpu")).block(TIMEOUT);
        double total = 0;
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
                total += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return total;
    }

    /** A writer's state tensors, made once; each put encodes them into a new container. */
    private static final class State {

        static final ThreadLocal<Holder> RECORDS = new ThreadLocal<>();

        private final List<ByteBuffer> tensors = new ArrayList<>();
        private int size;

        State(int writer) {
            Random random = new Random(writer);
            for (int t = 0; t < TENSORS; t++) {
                tensors.add(Checkpoints.floats(random, ELEMENTS));
            }
        }

        byte[] container(String tenant, String document, long n) {
            StateContainer.Builder builder = StateContainer.builder().metadata(Checkpoints.metadata(tenant, document, n));
            for (int t = 0; t < TENSORS; t++) {
                builder.tensor("past_state." + t, DType.F32, new long[] {1, ELEMENTS}, tensors.get(t).duplicate());
            }
            ByteBuffer file = StateCodec.write(builder.build());
            byte[] out = new byte[file.remaining()];
            file.get(out);
            size = out.length;
            return out;
        }
    }

    private record Holder(CheckpointRecord record) {
    }

    /**
     * The service/HTTP arm with puts ahead: each writer keeps up to {@code depth} puts in flight,
     * each naming the digest its predecessor gets when stored as sent (the SHA-256 of its bytes) and
     * asking the memory service to wait for it.
     */
    private static final class Ahead implements Arm {

        private static final Duration WAIT = Duration.ofSeconds(2);

        private final MemoryClient client;
        private final String tenant;
        private final int depth;
        private final List<ArrayDeque<CompletableFuture<?>>> inFlight = new ArrayList<>();

        Ahead(MemoryClient client, String tenant, int depth, int writers) {
            this.client = client;
            this.tenant = tenant;
            this.depth = depth;
            for (int w = 0; w < writers; w++) {
                inFlight.add(new ArrayDeque<>());
            }
        }

        @Override
        public String name() {
            return "service/HTTP, " + depth + " ahead";
        }

        @Override
        public String put(int w, String document, long n, byte[] container, String parent) {
            ArrayDeque<CompletableFuture<?>> mine = inFlight.get(w);
            if (mine.size() == depth) {
                mine.remove().join();
            }
            mine.add(client.put(tenant, document, n, container, parent, parent == null ? Duration.ZERO : WAIT)
                    .toFuture());
            return CheckpointRecord.digest(container);
        }

        @Override
        public void finish(int w) {
            ArrayDeque<CompletableFuture<?>> mine = inFlight.get(w);
            while (!mine.isEmpty()) {
                mine.remove().join();
            }
        }
    }

    /** The latencies of every put of one cell, and the cell's wall time. */
    private record Result(long[] sorted, long elapsedNanos, int size, long cpuNanos, long[] threadNanos,
                          double redisCpuSeconds, double looksPerPut) {

        Result(long[][] latencies, long elapsedNanos, int size, long cpuNanos, long[] threadNanos,
               double redisCpuSeconds, double looksPerPut) {
            this(Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray(), elapsedNanos, size,
                    cpuNanos, threadNanos, redisCpuSeconds, looksPerPut);
        }

        double putsPerSecond() {
            return sorted.length / (elapsedNanos / 1e9);
        }

        /** The q-quantile in milliseconds (nearest rank). */
        double p(double q) {
            int rank = (int) Math.ceil(q * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, rank))] / 1e6;
        }

        String row(int writers, String arm) {
            StringBuilder split = new StringBuilder();
            long named = 0;
            for (long nanos : threadNanos) {
                split.append(String.format(Locale.ROOT, "%.2f / ", nanos / 1e6 / sorted.length));
                named += nanos;
            }
            split.append(String.format(Locale.ROOT, "%.2f", (cpuNanos - named) / 1e6 / sorted.length));
            return String.format(Locale.ROOT, "| %d | %s | %d | %.0f | %.0f | %.2f | %.2f | %.2f | %.2f | %s | %.2f | %s |%n",
                    writers, arm, sorted.length, putsPerSecond(), putsPerSecond() * size / 1e6, p(0.5), p(0.9), p(0.99),
                    cpuNanos / 1e6 / sorted.length, split, redisCpuSeconds * 1e3 / sorted.length,
                    looksPerPut < 0 ? "-" : String.format(Locale.ROOT, "%.2f", looksPerPut));
        }
    }
}
