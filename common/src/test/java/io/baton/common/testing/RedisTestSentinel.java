package io.baton.common.testing;

import io.baton.common.redis.RedisSettings;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Sentinel set-up: one primary and two replicas ({@code redis-server --replicaof}) watched by
 * three Sentinels ({@code redis-server sentinel.conf --sentinel}, quorum 2), all child processes of
 * the test on free loopback ports in a temporary directory (Sentinel rewrites its config file, so
 * each gets its own there), stopped and deleted when the test class is done:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RedisTestSentinel sentinel = new RedisTestSentinel();
 * ... sentinel.url()   // "redis-sentinel://127.0.0.1:S1,127.0.0.1:S2,127.0.0.1:S3#baton", for baton.redis.url
 * }</pre>
 *
 * <p>With a password ({@link #RedisTestSentinel(String)}) every node asks for it, as a secured
 * deployment does: the data nodes ({@code requirepass}, and {@code masterauth} for replication), the
 * Sentinels towards them ({@code sentinel auth-pass}), the Sentinels themselves and towards each other
 * ({@code requirepass}, {@code sentinel sentinel-pass}). {@link #url()} then carries it as the data
 * nodes' password ({@code redis-sentinel://password@...}); the Sentinels' is the same (the service's
 * {@code baton.redis.sentinel-password}).
 *
 * <p>{@link #tls()} makes every node speak only TLS, to clients and to each other ({@code --port 0
 * --tls-port P --tls-replication yes}, which Sentinel also uses towards the data nodes and the other
 * Sentinels), with client certificates required and the certificates of {@link RedisTestTls}:
 * {@link #url()} is then {@code rediss-sentinel://} and {@link #clientTls()} is what a client sets.
 *
 * <p>It counts as started when every Sentinel names the primary at the primary's port, sees both
 * replicas and the two other Sentinels, and flags nothing down. The data nodes run without
 * persistence. Without {@code redis-server} on the PATH the test class is skipped with one loud
 * line, or fails under {@code CI=true}.
 */
public final class RedisTestSentinel implements BeforeAllCallback, AfterAllCallback {

    /** The name the Sentinels monitor the primary under. */
    public static final String PRIMARY = "baton";
    private static final int REPLICAS = 2;
    private static final int SENTINELS = 3;

    private final RedisProcesses processes = new RedisProcesses("REDIS SENTINEL TESTS");
    private final String password;
    private final boolean tls;
    private TestCertificates certificates;
    private final List<Integer> dataPorts = new ArrayList<>();
    private final List<Integer> sentinelPorts = new ArrayList<>();

    /** A set-up that asks for no password. */
    public RedisTestSentinel() {
        this(null);
    }

    /** A set-up where every data node and every Sentinel asks for {@code password} (null: none). */
    public RedisTestSentinel(String password) {
        this(password, false);
    }

    private RedisTestSentinel(String password, boolean tls) {
        this.password = password;
        this.tls = tls;
    }

    /** A set-up whose data nodes and Sentinels speak only TLS, to clients and to each other. */
    public static RedisTestSentinel tls() {
        return new RedisTestSentinel(null, true);
    }

    /** What a client of a {@link #tls()} set-up sets: the test CA to trust, the client certificate and key. */
    public RedisSettings.Tls clientTls() {
        return certificates == null ? RedisSettings.Tls.NONE : RedisTestTls.clientTls(certificates);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        try {
            start();
        } catch (Exception | Error e) {
            processes.stop();
            throw e;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        processes.stop();
        if (certificates != null) {
            certificates.close();
        }
    }

    /** The Sentinels and the primary's name, as {@code baton.redis.url} takes them. */
    public String url() {
        return (tls ? "rediss-sentinel://" : "redis-sentinel://") + (password == null ? "" : password + "@")
                + sentinelPorts.stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(",")) + "#" + PRIMARY;
    }

    /** The port of the primary, as the first Sentinel reports it now. */
    public int primaryPort() {
        String reported = RedisProcesses.askSentinel(node(sentinelPorts.get(0)), options(),
                connection -> connection.sync().master(PRIMARY).get("port"), null);
        if (reported == null || reported.isEmpty()) {
            throw new IllegalStateException("the Sentinel on " + sentinelPorts.get(0) + " names no primary " + PRIMARY);
        }
        return Integer.parseInt(reported);
    }

    /** The ports of the primary and the replicas, in the order they were started (the first was the primary then). */
    public List<Integer> dataPorts() {
        return List.copyOf(dataPorts);
    }

    /**
     * A failover as an operator starts it ({@code SENTINEL FAILOVER}): one replica is promoted, the
     * old primary becomes its replica (Sentinel closes the clients' connections to both), and this
     * returns the new primary's port once every Sentinel names it and sees two replicas linked to it.
     */
    public int failover() throws InterruptedException {
        int old = primaryPort();
        String answer = RedisProcesses.askSentinel(node(sentinelPorts.get(0)), options(),
                connection -> connection.sync().failover(PRIMARY), "no answer");
        if (!"OK".equals(answer)) {
            throw new IllegalStateException("SENTINEL FAILOVER " + PRIMARY + " answered " + answer);
        }
        int[] promoted = new int[1];
        processes.await("the Sentinels on " + sentinelPorts + " did not complete a failover away from " + old, () -> {
            int now = primaryPort();
            if (now == old) {
                return "the primary is still " + old;
            }
            promoted[0] = now;
            return problems(now);
        });
        return promoted[0];
    }

    /**
     * {@code kill -9} of the primary, as a crash (not an operator's failover): the Sentinels find it
     * down after {@code down-after-milliseconds} (2 s), agree, and promote a replica. Returns the
     * new primary's port once every Sentinel names it and it reports {@code role:master}; the dead
     * node is not started again.
     */
    public int crashPrimary() throws InterruptedException {
        return crashPrimary(() -> { });
    }

    /**
     * {@link #crashPrimary()}, with {@code afterKill} run right after the {@code kill -9} and before
     * the wait for a promotion (e.g. {@link #resumeReplicas} of replicas paused by {@link #isolateReplicas}).
     */
    public int crashPrimary(Runnable afterKill) throws InterruptedException {
        int old = primaryPort();
        processes.crash(Integer.toString(old));
        afterKill.run();
        int[] promoted = new int[1];
        processes.await("the Sentinels on " + sentinelPorts + " did not promote a replica after primary " + old
                + " was killed", () -> {
            for (int port : sentinelPorts) {
                String named = RedisProcesses.askSentinel(node(port), options(),
                        connection -> connection.sync().master(PRIMARY).get("port"), "");
                if (named.isEmpty() || named.equals(Integer.toString(old))) {
                    return "Sentinel " + port + " names primary " + named;
                }
                promoted[0] = Integer.parseInt(named);
            }
            String role = RedisProcesses.ask(node(promoted[0]), options(),
                    connection -> connection.sync().info("replication"), "");
            return role.contains("role:master") ? "" : "node " + promoted[0] + " is not a primary yet";
        });
        return promoted[0];
    }

    /**
     * Starts the data node on {@code port} again after {@link #crashPrimary} (without persistence it
     * comes back empty, as a primary of its own), and returns once the Sentinels have made it a
     * replica of the current primary ({@code +convert-to-slave}) and every Sentinel sees two linked
     * replicas again.
     */
    public void restart(int port) throws IOException, InterruptedException {
        processes.restart(Integer.toString(port));
        processes.awaitAnswer(port);
        processes.await("node " + port + " did not rejoin as a replica of the Sentinels' primary",
                () -> problems(primaryPort()));
    }

    /**
     * Cuts the replicas off from the primary, so that the writes it acknowledges from now on exist
     * on it alone (Redis replicates asynchronously): every replica is paused ({@code kill -STOP}),
     * then the primary drops its replication links ({@code CLIENT KILL TYPE replica}), which the
     * paused replicas cannot open again. What they hold is what they had read before. A crash of
     * the primary then loses those writes, as a failover after a partition does. Sentinel flags the
     * paused replicas down after {@code down-after-milliseconds}. Returns their ports, for {@link
     * #resumeReplicas}.
     */
    public List<Integer> isolateReplicas() throws IOException, InterruptedException {
        int primary = primaryPort();
        List<Integer> replicas = dataPorts.stream().filter(port -> port != primary).toList();
        for (int port : replicas) {
            processes.pause(Integer.toString(port), true);
        }
        Long cut = RedisProcesses.ask(node(primary), options(),
                connection -> connection.sync().clientKill(KillArgs.Builder.typeSlave()), null);
        if (cut == null || cut != replicas.size()) {
            throw new IllegalStateException("CLIENT KILL TYPE replica on primary " + primary + " closed " + cut
                    + " links, not " + replicas.size());
        }
        return replicas;
    }

    /** {@code kill -CONT} of replicas that {@link #isolateReplicas} paused: they answer again and reconnect. */
    public void resumeReplicas(List<Integer> replicas) {
        try {
            for (int port : replicas) {
                processes.pause(Integer.toString(port), false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while resuming replicas " + replicas, e);
        }
    }

    private void start() throws IOException, InterruptedException {
        if (tls) {
            certificates = TestCertificates.create();
        }
        for (int i = 0; i < 1 + REPLICAS + SENTINELS; i++) {
            int port = RedisProcesses.freePort(new HashSet<>(allPorts()), null);
            (i <= REPLICAS ? dataPorts : sentinelPorts).add(port);
        }
        int primary = dataPorts.get(0);
        for (int port : dataPorts) {
            List<String> command = new ArrayList<>(List.of("redis-server", "--bind", "127.0.0.1",
                    "--dir", processes.folder(Integer.toString(port)).toString(), "--save", "", "--appendonly", "no"));
            if (tls) {
                command.addAll(List.of("--port", "0", "--tls-port", Integer.toString(port), "--tls-replication", "yes"));
                command.addAll(RedisTestTls.serverOptions(certificates));
            } else {
                command.addAll(List.of("--port", Integer.toString(port)));
            }
            if (port != primary) {
                command.addAll(List.of("--replicaof", "127.0.0.1", Integer.toString(primary)));
            }
            if (password != null) {
                command.addAll(List.of("--requirepass", password, "--masterauth", password));
            }
            processes.start(Integer.toString(port), command);
        }
        for (int port : dataPorts) {
            processes.awaitAnswer(port);
        }
        for (int port : sentinelPorts) {
            Path folder = processes.folder(Integer.toString(port));
            Path config = folder.resolve("sentinel.conf");
            List<String> lines = new ArrayList<>(tls ? tlsLines(port) : List.of("port " + port));
            lines.addAll(List.of(
                    "bind 127.0.0.1",
                    "dir " + folder,
                    "sentinel monitor " + PRIMARY + " 127.0.0.1 " + primary + " 2",
                    "sentinel down-after-milliseconds " + PRIMARY + " 2000",
                    "sentinel failover-timeout " + PRIMARY + " 10000"));
            if (password != null) {
                lines.addAll(List.of("sentinel auth-pass " + PRIMARY + " " + password, "requirepass " + password,
                        "sentinel sentinel-pass " + password));
            }
            lines.add("");
            Files.writeString(config, String.join("\n", lines));
            processes.start(Integer.toString(port), List.of("redis-server", config.toString(), "--sentinel"));
        }
        for (int port : sentinelPorts) {
            processes.awaitAnswer(port);
        }
        processes.await("the Sentinels on " + sentinelPorts + " did not agree on primary " + primary
                + " with " + REPLICAS + " replicas", () -> problems(primary));
    }

    /** What is still wrong with the Sentinels' view, or "" when nothing is. */
    private String problems(int primary) {
        for (int port : sentinelPorts) {
            Map<String, String> master = RedisProcesses.askSentinel(node(port), options(),
                    connection -> connection.sync().master(PRIMARY), Map.<String, String>of());
            String view = "Sentinel " + port + " reports " + master;
            if (!Integer.toString(primary).equals(master.get("port")) || !"master".equals(master.get("flags"))
                    || !Integer.toString(REPLICAS).equals(master.get("num-slaves"))
                    || !Integer.toString(SENTINELS - 1).equals(master.get("num-other-sentinels"))) {
                return view;
            }
            List<Map<String, String>> replicas = RedisProcesses.askSentinel(node(port), options(),
                    connection -> connection.sync().replicas(PRIMARY), List.<Map<String, String>>of());
            if (replicas.size() != REPLICAS || !replicas.stream().allMatch(r -> "slave".equals(r.get("flags"))
                    && "ok".equals(r.get("master-link-status")))) {
                return "Sentinel " + port + " sees replicas " + replicas;
            }
        }
        return "";
    }

    /** sentinel.conf's lines for TLS only: as the data nodes' options, a directive a line. */
    private List<String> tlsLines(int port) {
        List<String> lines = new ArrayList<>(List.of("port 0", "tls-port " + port, "tls-replication yes"));
        List<String> options = RedisTestTls.serverOptions(certificates);
        for (int i = 0; i < options.size(); i += 2) {
            lines.add(options.get(i).substring(2) + " " + options.get(i + 1));
        }
        return lines;
    }

    /** A connection URI to the node on {@code port} (a data node or a Sentinel), with the password if there is one. */
    private RedisURI node(int port) {
        RedisURI uri = RedisProcesses.local(port);
        uri.setSsl(tls);
        if (password != null) {
            uri.setCredentialsProvider(RedisCredentialsProvider.from(() -> RedisCredentials.just(null, password)));
        }
        return uri;
    }

    private ClientOptions options() {
        return tls ? RedisTestTls.clientOptions(certificates) : ClientOptions.create();
    }

    private List<Integer> allPorts() {
        List<Integer> all = new ArrayList<>(dataPorts);
        all.addAll(sentinelPorts);
        return all;
    }
}
