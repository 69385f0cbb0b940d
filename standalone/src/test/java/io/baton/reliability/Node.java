package io.baton.reliability;

import io.baton.common.testing.ServiceJar;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One service of the stack under test as a process of its own: a service jar ({@code java
 * <options> -jar <jar>}) or {@code ./baton serve}, on a fixed port, configured through its
 * environment, its output in a log file. It can be killed with SIGKILL (a crash) and started
 * again on the same port with the same settings, and its resident memory read from {@code
 * /proc}. Unlike the end-to-end tests' {@code ServiceJar} it runs any command, since {@code
 * ./baton serve} is a script that execs the JVM (so the script's pid is the JVM's).
 */
public final class Node implements AutoCloseable {

    /** How long a service may take to answer its health check (2 busy cores, cold JIT). */
    static final Duration START_TIMEOUT = Duration.ofSeconds(240);

    private final String name;
    private final List<String> command;
    private final Map<String, String> env;
    private final int port;
    private final Path log;
    private Process process;

    private Node(String name, List<String> command, Map<String, String> env, int port, Path log) {
        this.name = name;
        this.command = List.copyOf(command);
        this.env = Map.copyOf(env);
        this.port = port;
        this.log = log;
    }

    /** Starts {@code command} with {@code env} on top of this JVM's environment, listening on {@code port}. */
    static Node start(String name, List<String> command, Map<String, String> env, int port, Path logs) {
        Node node = new Node(name, command, env, port, logs.resolve(name + ".log"));
        node.launch();
        return node;
    }

    private synchronized void launch() {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // Only what the stack sets reaches a service: never the caller's Redis, token or access settings.
        builder.environment().keySet().removeIf(key -> key.startsWith("BATON_") || key.startsWith("SERVER_")
                || key.equals("SPRING_APPLICATION_JSON") || key.equals("JAVA_OPTS"));
        builder.environment().put("SERVER_ADDRESS", "127.0.0.1");
        builder.environment().putAll(env);
        builder.environment().put("SERVER_PORT", Integer.toString(port));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("starting " + name, e);
        }
    }

    /** Waits until {@code GET /actuator/health} answers 200; fails with the log's tail if the process exits. */
    Node awaitHealthy() {
        try {
            if (ServiceJar.pollHealth(name, baseUrl(), current(), START_TIMEOUT, this::tail)) {
                return this;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + name + " started", e);
        }
        throw new IllegalStateException(name + " not healthy in " + START_TIMEOUT.toSeconds() + " s: " + tail());
    }

    /** True when the service answers its health check with 200 right now. */
    boolean healthy() {
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            return http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/health"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGKILL, as a crash, and waits until the process is gone. */
    void kill() {
        Process victim = current();
        victim.destroyForcibly();
        try {
            if (!victim.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " (pid " + victim.pid() + ") survived SIGKILL for 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing " + name, e);
        }
    }

    /** Starts the service again (a fresh process, same port and settings) and waits until it is healthy. */
    void restart() {
        if (current().isAlive()) {
            throw new IllegalStateException(name + " is still running; kill it first");
        }
        launch();
        awaitHealthy();
    }

    boolean alive() {
        return current().isAlive();
    }

    public long pid() {
        return current().pid();
    }

    /** The resident set size of the process now, in bytes ({@code VmRSS} of {@code /proc/<pid>/status}); -1 if gone. */
    long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
        return -1;
    }

    public String name() {
        return name;
    }

    int port() {
        return port;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    Path log() {
        return log;
    }

    /** The last lines of the service's output. */
    String tail() {
        try {
            String text = Files.readString(log);
            return text.substring(Math.max(0, text.length() - 3000));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private synchronized Process current() {
        return process;
    }

    /** A port nobody listens on right now. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the process: SIGTERM, then SIGKILL after 20 s. */
    @Override
    public void close() {
        Process running = current();
        if (running == null || !running.isAlive()) {
            return;
        }
        running.destroy();
        try {
            if (!running.waitFor(20, TimeUnit.SECONDS)) {
                running.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.destroyForcibly();
        }
    }

    @Override
    public String toString() {
        return name + "@" + port;
    }
}
