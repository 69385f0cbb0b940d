package io.baton.common.testing;

import io.baton.common.redis.RedisConnection;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The {@code redis-server} child processes of one test extension ({@link RedisTestCluster},
 * {@link RedisTestSentinel}, {@link RedisTestTls}): each started in a folder of its own under one
 * temporary directory, logging there, and all stopped by their process handles (never by name) and
 * the directory deleted by {@link #stop()}, also from a shutdown hook should the JVM end first.
 */
final class RedisProcesses {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final String tests;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    /** The command of every process started, for {@link #restart}. */
    private final Map<String, List<String>> commands = new LinkedHashMap<>();
    private Path directory;
    private Thread shutdownHook;

    /** @param tests what the processes are for, in the loud line when the tools are missing ("REDIS CLUSTER TESTS") */
    RedisProcesses(String tests) {
        this.tests = tests;
    }

    /** The temporary directory of the processes, made at the first call. */
    synchronized Path directory() throws IOException {
        if (directory == null) {
            directory = Files.createTempDirectory("baton-" + tests.toLowerCase().replace(' ', '-'));
            shutdownHook = new Thread(this::stop, "redis-test-processes-stop");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        return directory;
    }

    /** The folder of process {@code name}, made if needed. */
    Path folder(String name) throws IOException {
        return Files.createDirectories(directory().resolve(name));
    }

    /**
     * Starts {@code command} (a {@code redis-server} or {@code redis-cli} command line) as process
     * {@code name}, in its folder, output to {@code redis.log} there. A missing program skips the
     * tests, or fails them under {@code CI=true}.
     */
    synchronized Process start(String name, List<String> command) throws IOException {
        Path folder = folder(name);
        try {
            Process process = new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true)
                    .redirectOutput(folder.resolve("redis.log").toFile()).start();
            processes.put(name, process);
            commands.put(name, List.copyOf(command));
            return process;
        } catch (IOException e) {
            throw TestServers.unavailable(tests, command.get(0) + " is not on the PATH, so these tests cannot start their servers");
        }
    }

    /**
     * Runs {@code command} to its end and answers its output; fails when it fails, or when it has not
     * ended within a minute (then it is stopped: {@code redis-cli --cluster create} waits for ever for
     * nodes that cannot meet).
     */
    static String run(String tests, List<String> command) throws IOException, InterruptedException {
        Path output = Files.createTempFile("baton-redis-command", ".log");
        try {
            Process process;
            try {
                process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            } catch (IOException e) {
                throw TestServers.unavailable(tests, command.get(0) + " is not on the PATH, so these tests cannot set up their servers");
            }
            boolean ended = process.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (!ended) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String said = Files.readString(output);
            if (!ended || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command.subList(0, Math.min(3, command.size())))
                        + (ended ? " failed: " : " did not end within " + START_TIMEOUT + ": ") + said);
            }
            return said;
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** Waits until something accepts connections on {@code port}, while every process lives. */
    void awaitAnswer(int port) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            checkAlive();
            try (Socket socket = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("nothing answered on port " + port + " within " + START_TIMEOUT
                + " (logs in " + directory + ")");
    }

    /**
     * Waits until {@code problems} answers "" (nothing wrong), while every process lives; fails with
     * the last problem after a minute.
     */
    void await(String what, java.util.function.Supplier<String> problems) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            checkAlive();
            last = problems.get();
            if (last.isEmpty()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(what + " within " + START_TIMEOUT + ": " + last + " (logs in " + directory + ")");
    }

    /** Fails, with its log, when a process has exited. */
    synchronized void checkAlive() {
        for (Map.Entry<String, Process> entry : processes.entrySet()) {
            if (!entry.getValue().isAlive()) {
                throw new IllegalStateException(entry.getKey() + " exited with " + entry.getValue().exitValue()
                        + "; log: " + log(entry.getKey()));
            }
        }
    }

    /** Stops process {@code name} (by its handle) and waits for it. */
    synchronized void stop(String name) {
        Process process = processes.remove(name);
        if (process != null) {
            process.destroy();
            awaitEnd(process);
        }
    }

    /**
     * {@code kill -9} of process {@code name} (by its handle), as a crash: no shutdown, nothing
     * flushed. It is forgotten, so {@link #checkAlive()} does not count it.
     */
    synchronized void crash(String name) {
        Process process = processes.remove(name);
        if (process == null) {
            throw new IllegalArgumentException("no process " + name);
        }
        process.destroyForcibly();
        awaitEnd(process);
    }

    /**
     * {@code kill -STOP} ({@code paused} true) or {@code kill -CONT} of process {@code name}: a paused
     * server keeps its sockets open but reads and answers nothing, as a node that hangs.
     */
    synchronized void pause(String name, boolean paused) throws IOException, InterruptedException {
        Process process = processes.get(name);
        if (process == null) {
            throw new IllegalArgumentException("no process " + name);
        }
        run(tests, List.of("kill", paused ? "-STOP" : "-CONT", Long.toString(process.pid())));
    }

    /** Starts process {@code name} again with the command it was first started with, in the same folder. */
    synchronized Process restart(String name) throws IOException {
        if (processes.containsKey(name) || !commands.containsKey(name)) {
            throw new IllegalArgumentException("process " + name + " is running or was never started");
        }
        return start(name, commands.get(name));
    }

    private String log(String name) {
        try {
            return Files.readString(directory.resolve(name).resolve("redis.log"));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** Stops every process (by its handle, never by name) and deletes the directory. */
    synchronized void stop() {
        processes.values().forEach(Process::destroy);
        processes.values().forEach(RedisProcesses::awaitEnd);
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

    private static void awaitEnd(Process process) {
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A free loopback port not in {@code taken}, for which the port {@code alsoFree} names (e.g. the
     * cluster bus port, +10000) is free and not taken too ({@code alsoFree} null: no such port).
     */
    static int freePort(Set<Integer> taken, Function<Integer, Integer> alsoFree) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Integer other = alsoFree == null ? null : alsoFree.apply(port);
            if (taken.contains(port) || other != null && (other > 65_535 || taken.contains(other) || !free(other))) {
                continue;
            }
            return port;
        }
        throw new IOException("no free port" + (alsoFree == null ? "" : " pair") + " for a Redis test server");
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * What {@code ask} answers on a connection to {@code uri}, or {@code absent} when the server does
     * not answer (yet): for polling a server's state while it starts.
     */
    static <T> T ask(RedisURI uri, Function<StatefulRedisConnection<String, String>, T> ask, T absent) {
        return ask(uri, ClientOptions.create(), ask, absent);
    }

    /** {@link #ask} with these client options (a TLS server's trust and client certificate). */
    static <T> T ask(RedisURI uri, ClientOptions options, Function<StatefulRedisConnection<String, String>, T> ask,
                     T absent) {
        RedisClient client = RedisClient.create();
        client.setOptions(options);
        try (StatefulRedisConnection<String, String> connection = client.connect(StringCodec.UTF8, uri)) {
            return ask.apply(connection);
        } catch (RuntimeException e) {
            return absent;
        } finally {
            RedisConnection.shutdown(client);
        }
    }

    /** {@link #ask} of a Sentinel, with Sentinel's commands. */
    static <T> T askSentinel(RedisURI uri, Function<StatefulRedisSentinelConnection<String, String>, T> ask, T absent) {
        return askSentinel(uri, ClientOptions.create(), ask, absent);
    }

    /** {@link #askSentinel} with these client options (a TLS Sentinel's trust and client certificate). */
    static <T> T askSentinel(RedisURI uri, ClientOptions options,
                             Function<StatefulRedisSentinelConnection<String, String>, T> ask, T absent) {
        RedisClient client = RedisClient.create();
        client.setOptions(options);
        try (StatefulRedisSentinelConnection<String, String> connection = client.connectSentinel(StringCodec.UTF8, uri)) {
            return ask.apply(connection);
        } catch (RuntimeException e) {
            return absent;
        } finally {
            RedisConnection.shutdown(client);
        }
    }

    /** A plain connection URI to a loopback port, with a short timeout, for {@link #ask}. */
    static RedisURI local(int port) {
        return RedisURI.builder().withHost("127.0.0.1").withPort(port).withTimeout(Duration.ofSeconds(2)).build();
    }
}
