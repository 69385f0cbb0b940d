package io.baton.memory.bench;

import io.baton.common.testing.RedisTestCluster;
import io.baton.memory.Checkpoints;
import io.baton.memory.MemoryServer;
import io.baton.protocol.client.ClientSettings;
import io.baton.protocol.memory.HttpMemoryClient;
import io.baton.protocol.memory.MemoryClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Benchmark, not a test (issue 18): the memory service over HTTP on three stores side by side in
 * one run, each started here as child processes: a standalone {@code redis-server}, a six-node
 * Redis Cluster (three primaries, three replicas; {@link RedisTestCluster}), and the same Cluster
 * with {@code baton.redis.wait-replicas=1}. D documents at once (16 by default), each a writer
 * thread doing, per segment n, a checkpoint put of n followed by a get of n (one "segment"),
 * back to back. The containers (valid, with the {@code baton.*} metadata, about {@code bytes}
 * each) are built before the clock starts. Arms alternate, round after round, so drift in the
 * shared machine spreads over all of them. Prints per arm: segments/s, put+get latency p50/p99, and
 * the ratios against standalone.
 *
 * <p>Usage: {@code ClusterVsStandalone [seconds-per-cell] [rounds] [documents] [bytes]} (defaults 5, 3,
 * 16, 262144). Run it through {@code bench/memory-cluster-vs-standalone}.
 */
public final class ClusterVsStandalone {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private ClusterVsStandalone() {
    }

    private record Arm(String name, MemoryClient client) {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5.0;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int documents = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        int bytes = args.length > 3 ? Integer.parseInt(args[3]) : 262_144;
        String tenant = "bench-" + UUID.randomUUID().toString().substring(0, 8);

        RedisTestCluster cluster = new RedisTestCluster();
        Path folder = Files.createTempDirectory("baton-bench-redis");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process standalone = new ProcessBuilder("redis-server", "--bind", "127.0.0.1", "--port", Integer.toString(port),
                "--save", "", "--appendonly", "no", "--dir", folder.toString())
                .redirectErrorStream(true).redirectOutput(folder.resolve("redis.log").toFile()).start();
        List<MemoryServer> servers = new ArrayList<>();
        try {
            cluster.beforeAll(null);
            String standaloneUrl = "redis://127.0.0.1:" + port;
            awaitRedis(standalone, port);
            Map<String, String> common = Map.of("logging.level.root", "warn");
            List<Arm> arms = new ArrayList<>();
            arms.add(arm("standalone", servers, common, Map.of("baton.redis.url", standaloneUrl)));
            arms.add(arm("cluster", servers, common, Map.of("baton.redis.url", cluster.seeds(),
                    "baton.redis.mode", "cluster")));
            arms.add(arm("cluster, WAIT 1", servers, common, Map.of("baton.redis.url", cluster.seeds(),
                    "baton.redis.mode", "cluster", "baton.redis.wait-replicas", "1", "baton.redis.wait-timeout", "1s")));

            long[] next = new long[arms.size() * documents];
            String[] parents = new String[arms.size() * documents];
            for (int round = 0; round < 2; round++) {   // warm-up: the JIT, the connections, each node's scripts
                for (Arm arm : arms) {
                    run(arm, arms.indexOf(arm), documents, 3.0, bytes, tenant, next, parents);
                }
            }
            System.err.println("warmed up");
            List<List<Long>> latencies = new ArrayList<>();
            long[] segments = new long[arms.size()];
            double[] elapsed = new double[arms.size()];
            for (int a = 0; a < arms.size(); a++) {
                latencies.add(new ArrayList<>());
            }
            for (int round = 0; round < rounds; round++) {
                for (int a = 0; a < arms.size(); a++) {
                    Cell cell = run(arms.get(a), a, documents, seconds, bytes, tenant, next, parents);
                    latencies.get(a).addAll(cell.latencies);
                    segments[a] += cell.latencies.size();
                    elapsed[a] += cell.seconds;
                    System.err.printf(Locale.ROOT, "round %d %s: %.0f segments/s%n", round + 1, arms.get(a).name(),
                            cell.latencies.size() / cell.seconds);
                }
            }
            StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
                    "Checkpoint put+get through the memory service over HTTP, %d documents at once, %d-byte containers, "
                            + "%s, %d cores, %d rounds of %.0f s per arm, alternating%n%n", documents,
                    Checkpoints.sized(Checkpoints.metadata(tenant, "x", 0), 0, bytes).length, LocalDate.now(),
                    Runtime.getRuntime().availableProcessors(), rounds, seconds));
            table.append("| store | segments | segments/s | put+get p50 (ms) | p99 (ms) | segments/s vs standalone "
                    + "| p50 vs standalone |\n|---|---:|---:|---:|---:|---:|---:|\n");
            double baseRate = segments[0] / elapsed[0];
            double baseP50 = percentile(latencies.get(0), 0.5);
            for (int a = 0; a < arms.size(); a++) {
                double rate = segments[a] / elapsed[a];
                double p50 = percentile(latencies.get(a), 0.5);
                table.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.2f | %.2f | %.2f | %.2f |%n",
                        arms.get(a).name(), segments[a], rate, p50, percentile(latencies.get(a), 0.99),
                        rate / baseRate, p50 / baseP50));
            }
            System.out.print(table);
        } finally {
            servers.forEach(MemoryServer::close);
            cluster.afterAll(null);
            standalone.destroy();
            if (!standalone.waitFor(10, TimeUnit.SECONDS)) {
                standalone.destroyForcibly();
            }
        }
    }

    private static Arm arm(String name, List<MemoryServer> servers, Map<String, String> common, Map<String, String> redis) {
        Map<String, String> properties = new java.util.HashMap<>(common);
        properties.putAll(redis);
        properties.put("baton.store.kind", "redis");
        MemoryServer server = MemoryServer.start(properties);
        servers.add(server);
        return new Arm(name, HttpMemoryClient.create(new ClientSettings(server.baseUrl(), TIMEOUT, 0, Duration.ZERO,
                null, null, null), 64 << 20));
    }

    private static void awaitRedis(Process process, int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server on " + port + " exited");
            }
            try (java.net.Socket ignored = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("redis-server on " + port + " did not answer");
    }

    private record Cell(List<Long> latencies, double seconds) {
    }

    /** D writers on arm a for {@code seconds}; each keeps its document's next segment and parent digest across cells. */
    private static Cell run(Arm arm, int a, int documents, double seconds, int bytes, String tenant, long[] next,
                            String[] parents) throws InterruptedException {
        List<List<Long>> perWriter = new ArrayList<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(documents);
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        for (int d = 0; d < documents; d++) {
            List<Long> mine = new ArrayList<>();
            perWriter.add(mine);
            int slot = a * documents + d;
            String document = "a" + a + "-d" + d;
            Thread writer = new Thread(() -> {
                try {
                    while (System.nanoTime() < end) {
                        long n = next[slot];
                        byte[] container = Checkpoints.sized(Checkpoints.metadata(tenant, document, n), n, bytes);
                        long t0 = System.nanoTime();
                        String digest = arm.client().put(tenant, document, n, container, parents[slot]).block(TIMEOUT).digest();
                        byte[] read = arm.client().checkpoint(tenant, document, n).block(TIMEOUT);
                        mine.add(System.nanoTime() - t0);
                        if (read == null || read.length == 0) {
                            throw new IllegalStateException("empty read of " + document + " " + n);
                        }
                        parents[slot] = digest;
                        next[slot] = n + 1;
                    }
                } catch (Throwable t) {
                    failed.compareAndSet(null, t);
                } finally {
                    done.countDown();
                }
            }, "writer-" + d);
            writer.start();
        }
        done.await();
        double took = (System.nanoTime() - start) / 1e9;
        if (failed.get() != null) {
            throw new IllegalStateException(arm.name() + " failed", failed.get());
        }
        List<Long> all = new ArrayList<>();
        perWriter.forEach(all::addAll);
        return new Cell(all, took);
    }

    private static double percentile(List<Long> nanos, double p) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
    }
}
