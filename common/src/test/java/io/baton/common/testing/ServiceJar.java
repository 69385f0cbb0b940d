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
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A service's executable jar run as its own JVM ({@code java -Xmx<heap> -jar <jar>}) on a given
 * port, configured by environment variables, as in distributed mode. {@link #start} returns once
 * {@code /actuator/health} answers 200; its output goes to a temporary log file, whose tail is in
 * the exception when it does not come up.
 */
public final class ServiceJar implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

    private final String name;
    private final Process process;
    private final int port;
    private final Path log;

    private ServiceJar(String name, Process process, int port, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts {@code jar} with {@code -Xmx<maxHeap>} on {@code port} ({@code SERVER_PORT}) with
     * {@code env} added to this JVM's environment (less {@code BATON_REDIS_URL}, which only
     * {@code env} may set), and waits until it is healthy.
     */
    public static ServiceJar start(String name, Path jar, String maxHeap, int port, Map<String, String> env) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no " + name + " jar at " + jar.toAbsolutePath()
                    + ": build it first (./mvnw -pl " + name + " -am package)");
        }
        try {
            Path log = Files.createTempFile(name + "-" + port + "-", ".log");
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx" + maxHeap, "-jar", jar.toAbsolutePath().toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().remove("BATON_REDIS_URL");
            builder.environment().putAll(env);
            builder.environment().put("SERVER_PORT", Integer.toString(port));
            ServiceJar service = new ServiceJar(name, builder.start(), port, log);
            service.awaitHealthy();
            return service;
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
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited: " + tail());
                }
                try {
                    if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                // The process ending early is the other thing to wait for between two polls.
                process.waitFor(200, TimeUnit.MILLISECONDS);
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
