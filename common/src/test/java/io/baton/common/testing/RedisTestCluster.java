package io.baton.common.testing;

import io.baton.common.redis.RedisSettings;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
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
 *
 * <p>{@link #tls()} makes the same cluster speak only TLS, between the nodes too ({@code --port 0
 * --tls-port P --tls-cluster yes --tls-replication yes}), with client certificates required and the
 * certificates of {@link RedisTestTls}: {@link #seeds()} are then {@code rediss://} and
 * {@link #clientTls()} is what a client sets.
 */
public final class RedisTestCluster implements BeforeAllCallback, AfterAllCallback {

    /** Nodes of the cluster: primaries first in {@link #ports()}; redis-cli pairs each with a replica. */
    public static final int NODES = 6;
    private static final int PRIMARIES = 3;
    /** Redis Cluster's bus port is the client port plus this. */
    private static final int BUS_OFFSET = 10_000;

    private final RedisProcesses processes = new RedisProcesses("REDIS CLUSTER TESTS");
    private final List<Integer> ports = new ArrayList<>();
    private final boolean tls;
    private TestCertificates certificates;

    /** A cluster without TLS. */
    public RedisTestCluster() {
        this(false);
    }

    private RedisTestCluster(boolean tls) {
        this.tls = tls;
    }

    /** A cluster that speaks only TLS, to clients and between its nodes, and requires client certificates. */
    public static RedisTestCluster tls() {
        return new RedisTestCluster(true);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (tls) {
            certificates = TestCertificates.create();
        }
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        processes.stop();
        if (certificates != null) {
            certificates.close();
        }
    }

    /** What a client of a {@link #tls()} cluster sets: the test CA to trust, the client certificate and key. */
    public RedisSettings.Tls clientTls() {
        return certificates == null ? RedisSettings.Tls.NONE : RedisTestTls.clientTls(certificates);
    }

    /** The client ports of the six nodes. */
    public List<Integer> ports() {
        return List.copyOf(ports);
    }

    /** Three seed nodes as {@code baton.redis.url} takes them in cluster mode. */
    public String seeds() {
        return (tls ? "rediss://" : "redis://") + ports.subList(0, 3).stream().map(port -> "127.0.0.1:" + port)
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

    /**
     * The port of the primary serving {@code key}'s slot ({@code CLUSTER KEYSLOT}, then the slot
     * ranges of {@code CLUSTER NODES}), as the first node that answers reports it.
     */
    public int primaryOf(String key) {
        for (int port : ports) {
            RedisURI node = RedisProcesses.local(port);
            node.setSsl(tls);
            Long slot = RedisProcesses.ask(node, tls ? RedisTestTls.clientOptions(certificates) : ClientOptions.create(),
                    connection -> connection.sync().clusterKeyslot(key), null);
            String nodes = info(port, "cluster-nodes");
            if (slot == null || nodes.isEmpty()) {
                continue;
            }
            for (String line : nodes.lines().toList()) {
                String[] fields = line.split(" ");
                if (!fields[2].contains("master") || fields[2].contains("fail")) {
                    continue;
                }
                for (int i = 8; i < fields.length; i++) {
                    String[] range = fields[i].split("-");
                    if (range[0].startsWith("[")) {
                        continue;
                    }
                    long from = Long.parseLong(range[0]);
                    long to = range.length > 1 ? Long.parseLong(range[1]) : from;
                    if (slot >= from && slot <= to) {
                        return Integer.parseInt(fields[1].replaceAll(".*:", "").replaceAll("[@,].*", ""));
                    }
                }
            }
        }
        throw new IllegalStateException("no node of " + ports + " names a primary for " + key);
    }

    /**
     * {@code kill -9} of the primary serving {@code key}'s slot, as a crash: its replica finds it
     * failing after {@code cluster-node-timeout} (5 s) and is promoted by the other primaries.
     * Returns the new primary's port once every surviving node reports {@code cluster_state:ok}
     * and names it for the slot, and it reports {@code role:master}; the dead node stays dead.
     */
    public int crashPrimaryOf(String key) throws InterruptedException {
        int old = primaryOf(key);
        processes.crash(Integer.toString(old));
        int[] promoted = new int[1];
        processes.await("the Redis Cluster on " + ports + " did not promote a replica for " + key + " after primary "
                + old + " was killed", () -> {
            for (int port : ports) {
                if (port == old) {
                    continue;
                }
                if (!info(port, "cluster-info").contains("cluster_state:ok")) {
                    return "node " + port + " does not report cluster_state:ok";
                }
            }
            int now;
            try {
                now = primaryOf(key);
            } catch (IllegalStateException e) {
                // The old primary is flagged failing and no replica took its slots yet.
                return e.getMessage();
            }
            if (now == old) {
                return "the slot of " + key + " is still on " + old;
            }
            promoted[0] = now;
            return info(now, "replication").contains("role:master") ? "" : "node " + now + " is not a primary yet";
        });
        return promoted[0];
    }

    /**
     * Starts the node on {@code port} again after {@link #crashPrimaryOf}, on its folder and its
     * {@code nodes.conf} (without persistence it comes back empty), and returns once every node
     * sees six nodes, three primaries and three replicas again: it rejoined as a replica.
     */
    public void restart(int port) throws IOException, InterruptedException {
        processes.restart(Integer.toString(port));
        processes.awaitAnswer(port);
        processes.await("node " + port + " did not rejoin the Redis Cluster on " + ports, () -> {
            String problem = problems();
            if (!problem.isEmpty()) {
                return problem;
            }
            return info(port, "replication").contains("master_link_status:up") ? ""
                    : "node " + port + " is not a synced replica yet";
        });
    }

    private synchronized void start() throws IOException, InterruptedException {
        try {
            for (int i = 0; i < NODES; i++) {
                int port = RedisProcesses.freePort(busPorts(), p -> p + BUS_OFFSET);
                ports.add(port);
                List<String> command = new ArrayList<>(List.of("redis-server", "--bind", "127.0.0.1",
                        "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000",
                        "--dir", processes.folder(Integer.toString(port)).toString(), "--save", "", "--appendonly", "no"));
                if (tls) {
                    command.addAll(List.of("--port", "0", "--tls-port", Integer.toString(port), "--tls-cluster", "yes",
                            "--tls-replication", "yes"));
                    command.addAll(RedisTestTls.serverOptions(certificates));
                } else {
                    command.addAll(List.of("--port", Integer.toString(port)));
                }
                processes.start(Integer.toString(port), command);
            }
            for (int port : ports) {
                processes.awaitAnswer(port);
            }
            create();
            processes.await("the Redis Cluster on " + ports + " did not become healthy", this::problems);
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            processes.stop();
            throw e;
        }
    }

    /** The client and bus ports this cluster took already. */
    private Set<Integer> busPorts() {
        Set<Integer> taken = new HashSet<>();
        for (int port : ports) {
            taken.addAll(List.of(port, port + BUS_OFFSET, port - BUS_OFFSET));
        }
        return taken;
    }

    /** {@code redis-cli --cluster create} over the six nodes: three primaries, one replica each. */
    private void create() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        ports.forEach(port -> command.add("127.0.0.1:" + port));
        command.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        if (tls) {
            RedisSettings.Tls client = clientTls();
            command.addAll(List.of("--tls", "--cacert", client.caFile().toString(), "--cert", client.certFile().toString(),
                    "--key", client.keyFile().toString()));
        }
        RedisProcesses.run("REDIS CLUSTER TESTS", command);
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
    private String info(int port, String what) {
        RedisURI node = RedisProcesses.local(port);
        node.setSsl(tls);
        return RedisProcesses.ask(node, tls ? RedisTestTls.clientOptions(certificates) : ClientOptions.create(),
                connection -> switch (what) {
            case "cluster-info" -> connection.sync().clusterInfo();
            case "cluster-nodes" -> connection.sync().clusterNodes();
            default -> connection.sync().info(what);
        }, "");
    }
}
