package io.baton.common.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Redis Cluster of six {@code redis-server} processes (three primaries, three replicas) on
 * free loopback ports, started by the test as its own child processes in a temporary directory, and
 * stopped and deleted when the test class is done. Register it as a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RedisTestCluster cluster = new RedisTestCluster();
 * ... cluster.seeds()   // "redis://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3", for baton.redis.url with mode=cluster
 * }</pre>
 *
 * The nodes run without persistence; {@code redis-cli --cluster create} assigns the slots and the
 * replicas, and the cluster counts as started when every node reports {@code cluster_state:ok},
 * all 16384 slots, six known nodes and three primaries with one replica each. Without
 * {@code redis-server} or {@code redis-cli} on the PATH the test class is skipped with one loud line,
 * or fails under {@code CI=true} ({@link TestServers#unavailable}).
 */
public final class RedisTestCluster implements BeforeAllCallback, AfterAllCallback {

    /** Nodes of the cluster: primaries first in {@link #ports()}; redis-cli pairs each with a replica. */
    public static final int NODES = 6;
    private static final int PRIMARIES = 3;
    /** Redis Cluster's bus port is the client port plus this. */
    private static final int BUS_OFFSET = 10_000;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final List<Process> processes = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();
    private Path directory;
    private Thread shutdownHook;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    /** The client ports of the six nodes. */
    public List<Integer> ports() {
        return List.copyOf(ports);
    }

    /** Three seed nodes as {@code baton.redis.url} takes them in cluster mode. */
    public String seeds() {
        return "redis://" + ports.subList(0, 3).stream().map(port -> "127.0.0.1:" + port)
                .collect(Collectors.joining(","));
    }

    /** The ports of the nodes that are primaries now (serving slots), as the nodes report. */
    public List<Integer> primaryPorts() {
        List<Integer> primaries = new ArrayList<>();
        for (int port : ports) {
            if (info(port, "replication").contains("role:master")) {
                primaries.add(port);
            }
        }
        return primaries;
    }

    private synchronized void start() throws IOException, InterruptedException {
        directory = Files.createTempDirectory("baton-redis-cluster");
        shutdownHook = new Thread(this::stop, "redis-test-cluster-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            for (int i = 0; i < NODES; i++) {
                int port = freePort();
                ports.add(port);
                processes.add(startNode(port));
            }
            for (int port : ports) {
                awaitAnswer(port);
            }
            create();
            awaitHealthy();
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            stop();
            throw e;
        }
    }

    private Process startNode(int port) throws IOException {
        Path node = Files.createDirectories(directory.resolve(Integer.toString(port)));
        List<String> command = List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000",
                "--dir", node.toString(), "--save", "", "--appendonly", "no");
        try {
            return new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(node.resolve("redis.log").toFile()).start();
        } catch (IOException e) {
            throw TestServers.unavailable("REDIS CLUSTER TESTS",
                    "redis-server is not on the PATH, so the Redis Cluster tests cannot start their cluster");
        }
    }

    /** {@code redis-cli --cluster create} over the six nodes: three primaries, one replica each. */
    private void create() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        ports.forEach(port -> command.add("127.0.0.1:" + port));
        command.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        Process cli;
        try {
            cli = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw TestServers.unavailable("REDIS CLUSTER TESTS",
                    "redis-cli is not on the PATH, so the Redis Cluster tests cannot create their cluster");
        }
        String output = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!cli.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || cli.exitValue() != 0) {
            cli.destroyForcibly();
            throw new IllegalStateException("redis-cli --cluster create failed: " + output);
        }
    }

    /** Waits until every node sees the same healthy cluster of three primaries and three replicas. */
    private void awaitHealthy() throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            checkAlive();
            last = problems();
            if (last.isEmpty()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the Redis Cluster on " + ports + " did not become healthy within "
                + START_TIMEOUT + ": " + last + " (node logs in " + directory + ")");
    }

    /** What is still wrong with the cluster, or "" when nothing is. */
    private String problems() {
        for (int port : ports) {
            String info = info(port, "cluster-info");
            for (String expected : List.of("cluster_state:ok", "cluster_slots_ok:16384", "cluster_known_nodes:" + NODES,
                    "cluster_size:" + PRIMARIES)) {
                if (!info.contains(expected)) {
                    return "node " + port + " does not report " + expected;
                }
            }
            String nodes = info(port, "cluster-nodes");
            long primaries = nodes.lines().filter(line -> line.contains("master") && !line.contains("fail")).count();
            long replicas = nodes.lines().filter(line -> line.contains("slave") && !line.contains("fail")).count();
            if (primaries != PRIMARIES || replicas != NODES - PRIMARIES) {
                return "node " + port + " sees " + primaries + " primaries and " + replicas + " replicas";
            }
        }
        return "";
    }

    /** {@code INFO section}, or {@code CLUSTER INFO} / {@code CLUSTER NODES}, of one node; "" when it does not answer. */
    private static String info(int port, String what) {
        RedisClient client = RedisClient.create();
        try (StatefulRedisConnection<String, String> connection = client.connect(StringCodec.UTF8,
                RedisURI.builder().withHost("127.0.0.1").withPort(port).withTimeout(Duration.ofSeconds(2)).build())) {
            return switch (what) {
                case "cluster-info" -> connection.sync().clusterInfo();
                case "cluster-nodes" -> connection.sync().clusterNodes();
                default -> connection.sync().info(what);
            };
        } catch (RuntimeException e) {
            return "";
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    private void awaitAnswer(int port) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            checkAlive();
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("redis-server on port " + port + " did not answer within " + START_TIMEOUT
                + " (log in " + directory + ")");
    }

    private void checkAlive() {
        for (int i = 0; i < processes.size(); i++) {
            if (!processes.get(i).isAlive()) {
                throw new IllegalStateException("redis-server on port " + ports.get(i) + " exited with "
                        + processes.get(i).exitValue() + "; log: " + log(ports.get(i)));
            }
        }
    }

    private String log(int port) {
        try {
            return Files.readString(directory.resolve(Integer.toString(port)).resolve("redis.log"));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** Stops every node (by its process, never by name) and deletes the directory. */
    private synchronized void stop() {
        for (Process process : processes) {
            process.destroy();
        }
        for (Process process : processes) {
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
        if (directory != null) {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete " + directory, e);
            }
            directory = null;
        }
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down already; the hook runs this again, harmlessly
            }
            shutdownHook = null;
        }
    }

    /** A free port whose cluster bus port (+10000) is free too, and not one this cluster took already. */
    private int freePort() throws IOException {
        Set<Integer> taken = new HashSet<>(ports);
        for (int attempt = 0; attempt < 100; attempt++) {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            if (port + BUS_OFFSET > 65_535 || taken.contains(port) || taken.contains(port + BUS_OFFSET)
                    || taken.contains(port - BUS_OFFSET) || !free(port + BUS_OFFSET)) {
                continue;
            }
            return port;
        }
        throw new IOException("no free pair of ports (client, client + " + BUS_OFFSET + ") for a Redis Cluster node");
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
