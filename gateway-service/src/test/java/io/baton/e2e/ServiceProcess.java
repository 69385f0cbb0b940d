package io.baton.e2e;

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
import org.awaitility.Awaitility;

/**
 * One service of the platform as a separate JVM: {@code java -jar <jar>} with environment
 * variables for its settings (Spring relaxed binding: {@code SERVER_PORT}, {@code
 * BATON_REDIS_URL}, {@code BATON_MEMORY_URL}, ...), output to a log file, ready once {@code GET
 * /actuator/health} answers 200 (polled until a deadline; a process that exits fails at once with
 * its log's tail). It can be killed (SIGKILL, a crash) and started again on the same port.
 */
public final class ServiceProcess implements AutoCloseable {

    /** How long a service may take to become healthy (2 shared CPU cores, several builds at once). */
    static final Duration START_DEADLINE = Duration.ofSeconds(180);

    private final String name;
    private final Path jar;
    private final Map<String, String> environment;
    private final int port;
    private Process process;
    private Path log;

    private ServiceProcess(String name, Path jar, Map<String, String> environment, int port) {
        this.name = name;
        this.jar = jar;
        this.environment = Map.copyOf(environment);
        this.port = port;
    }

    /**
     * Launches {@code jar} on {@code port} with {@code environment} ({@code SERVER_PORT} is added),
     * without waiting; {@link #awaitHealthy()} waits.
     */
    public static ServiceProcess launch(String name, Path jar, int port, Map<String, String> environment) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no " + name + " jar at " + jar.toAbsolutePath()
                    + ": build it first (./mvnw -pl gateway-service -am package -DskipTests)");
        }
        ServiceProcess service = new ServiceProcess(name, jar, environment, port);
        service.launch();
        return service;
    }

    private synchronized void launch() {
        try {
            log = Files.createTempFile(name + "-" + port + "-", ".log");
            // C1 only (-XX:TieredStopAtLevel=1): the JVM starts sooner, which is most of a restart;
            // the work of these short runs is in ONNX Runtime (native) and Redis, not in JIT-hot Java.
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "-XX:TieredStopAtLevel=1", "-jar", jar.toAbsolutePath().toString()));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(environment);
            builder.environment().put("SERVER_PORT", Integer.toString(port));
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("starting " + name, e);
        }
    }

    /** Waits until the service answers its health check; kills it and fails if it does not in time. */
    public ServiceProcess awaitHealthy() {
        Process watched = current();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/health"))
                .timeout(Duration.ofSeconds(2)).build();
        try {
            Awaitility.await(name + " on port " + port + " healthy").atMost(START_DEADLINE)
                    .pollInterval(Duration.ofMillis(200)).ignoreExceptionsMatching(e -> e instanceof IOException)
                    .until(() -> {
                        if (!watched.isAlive()) {
                            throw new IllegalStateException(name + " exited with " + watched.exitValue() + ": " + tail());
                        }
                        return http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                    });
            return this;
        } catch (RuntimeException e) {
            close();
            throw new IllegalStateException(name + " did not become healthy: " + tail(), e);
        }
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

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The process id of the JVM running now. */
    public long pid() {
        return current().pid();
    }

    private synchronized Process current() {
        return process;
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

    /** A port nobody listens on right now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
