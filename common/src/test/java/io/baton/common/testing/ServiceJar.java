package io.baton.common.testing;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A service's executable jar run as its own JVM ({@code java <options> -jar <jar>}) on a given
 * port, configured by environment variables (Spring relaxed binding: {@code SERVER_PORT},
 * {@code BATON_REDIS_URL}, {@code BATON_MEMORY_URL}, {@code BATON_SERVICE_TOKEN}, ...), as in
 * distributed mode. It listens on {@code 127.0.0.1} ({@code SERVER_ADDRESS}) unless the settings
 * say otherwise, so a memory or inference service started without a service token runs open on
 * this machine only (docs/protocol.md, "Service credentials"). Its output goes
 * to a temporary log file, whose tail is in the exception when it does not come up; it is ready
 * once {@code GET /actuator/health} answers 200 (a process that exits fails at once). It can be
 * killed (SIGKILL, as a crash would) and launched again on the same port with the same settings.
 */
public final class ServiceJar implements AutoCloseable {

    /** How long a service may take to become healthy (2 shared CPU cores, several builds at once). */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(180);

    /** Settings of the test's own environment a service never inherits: only its {@code env} sets them. */
    private static final List<String> INHERITED_NEVER = List.of("BATON_REDIS_URL", "BATON_SERVICE_TOKEN",
            "BATON_ACCESS_OPEN");

    private final String name;
    private final Path jar;
    private final List<String> jvmOptions;
    private final Map<String, String> env;
    private final int port;
    private Process process;
    private Path log;

    private ServiceJar(String name, Path jar, List<String> jvmOptions, int port, Map<String, String> env) {
        this.name = name;
        this.jar = jar;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.env = Map.copyOf(env);
        this.port = port;
    }

    /** Starts {@code jar} with {@code -Xmx<maxHeap>} (see {@link #launch}) and waits until it is healthy. */
    public static ServiceJar start(String name, Path jar, String maxHeap, int port, Map<String, String> env) {
        return launch(name, jar, List.of("-Xmx" + maxHeap), port, env).awaitHealthy();
    }

    /**
     * Launches {@code jar} with {@code jvmOptions} on {@code port} ({@code SERVER_PORT}) with
     * {@code env} added to this JVM's environment (less {@code BATON_REDIS_URL}, {@code
     * BATON_SERVICE_TOKEN} and {@code BATON_ACCESS_OPEN}, which only {@code env} may set), without
     * waiting; {@link #awaitHealthy()} waits.
     */
    public static ServiceJar launch(String name, Path jar, List<String> jvmOptions, int port, Map<String, String> env) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no " + name + " jar at " + jar.toAbsolutePath()
                    + ": build it first (./mvnw -pl " + name + " -am package -DskipTests)");
        }
        ServiceJar service = new ServiceJar(name, jar, jvmOptions, port, env);
        service.launch();
        return service;
    }

    private synchronized void launch() {
        try {
            log = Files.createTempFile(name + "-" + port + "-", ".log");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            for (String own : INHERITED_NEVER) {
                builder.environment().remove(own);
            }
            builder.environment().put("SERVER_ADDRESS", "127.0.0.1");
            builder.environment().putAll(env);
            builder.environment().put("SERVER_PORT", Integer.toString(port));
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("starting " + name, e);
        }
    }

    /** Waits until the service answers its health check; stops it and fails if it does not in time. */
    public ServiceJar awaitHealthy() {
        try {
            if (pollHealth(name, baseUrl(), current(), START_TIMEOUT, this::tail)) {
                return this;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while " + name + " started", e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        close();
        throw new IllegalStateException(name + " did not become healthy in " + START_TIMEOUT.toSeconds() + " s: " + tail());
    }

    /**
     * Polls {@code GET <baseUrl>/actuator/health} until it answers 200 (true) or {@code timeout}
     * passes (false); fails with {@code tail} (the process's log) when {@code process} exits first.
     * For every harness that starts a service as a process of its own.
     */
    public static boolean pollHealth(String name, String baseUrl, Process process, Duration timeout,
                                     java.util.function.Supplier<String> tail) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create(baseUrl + "/actuator/health"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ": " + tail.get());
            }
            try {
                if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return true;
                }
            } catch (IOException e) {
                // not listening yet
            }
            // The process ending early is the other thing to wait for between two polls.
            process.waitFor(200, TimeUnit.MILLISECONDS);
        }
        return false;
    }

    /** Kills the process at once (SIGKILL, as a crash would) and waits until it is gone. */
    public void kill() {
        Process victim = current();
        victim.destroyForcibly();
        try {
            if (!victim.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " (pid " + victim.pid() + ") survived SIGKILL for 30s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing " + name, e);
        }
    }

    /** Starts the service again on the same port with the same settings (a fresh JVM), without waiting. */
    public void relaunch() {
        if (current().isAlive()) {
            throw new IllegalStateException(name + " is still running; kill it first");
        }
        launch();
    }

    /** A port nobody listens on right now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The JVM running now, e.g. to read the CPU time it has used or its process id. */
    public ProcessHandle process() {
        return current().toHandle();
    }

    /** The process id of the JVM running now. */
    public long pid() {
        return current().pid();
    }

    /** The last lines of the current JVM's output. */
    public String tail() {
        try {
            String text = Files.readString(log);
            return text.substring(Math.max(0, text.length() - 4000));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private synchronized Process current() {
        return process;
    }

    /** Stops the service (SIGTERM, then SIGKILL after 20s). */
    @Override
    public void close() {
        Process running = current();
        if (running == null) {
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
