package io.baton.inference.testing;

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
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * The real memory service ({@code memory-service/target/memory-service.jar}, path in the system
 * property {@code baton.memory.jar}) as a separate JVM on a given port, backed by Redis: what
 * the inference service talks to over HTTP in distributed mode.
 */
public final class MemoryServiceProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private MemoryServiceProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts the service on {@code port} against {@code redisUrl} and waits until it is healthy. */
    public static MemoryServiceProcess start(int port, String redisUrl) {
        Path jar = Path.of(System.getProperty("baton.memory.jar", "../memory-service/target/memory-service.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no memory-service jar at " + jar.toAbsolutePath()
                    + ": build it first (./mvnw -pl memory-service -am package)");
        }
        try {
            Path log = Files.createTempFile("memory-service-" + port + "-", ".log");
            ProcessBuilder builder = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar",
                    jar.toAbsolutePath().toString()))
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("SERVER_PORT", Integer.toString(port));
            builder.environment().put("BATON_REDIS_URL", redisUrl);
            builder.environment().put("BATON_STORE_KIND", "redis");
            MemoryServiceProcess memory = new MemoryServiceProcess(builder.start(), port, log);
            memory.awaitHealthy();
            return memory;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The service's process, e.g. to read the CPU time it has used. */
    public ProcessHandle process() {
        return process.toHandle();
    }

    private void awaitHealthy() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/health"))
                .timeout(Duration.ofSeconds(2)).build();
        try {
            Awaitility.await("memory service on port " + port).atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("memory service exited: " + tail());
                        }
                        return http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
                    });
        } catch (RuntimeException e) {
            close();
            throw new IllegalStateException("memory service did not become healthy: " + tail(), e);
        }
    }

    private String tail() {
        try {
            String text = Files.readString(log);
            return text.substring(Math.max(0, text.length() - 3000));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
