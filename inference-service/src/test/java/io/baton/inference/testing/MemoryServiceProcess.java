package io.baton.inference.testing;

import io.baton.common.testing.ServiceJar;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The real memory service ({@code memory-service/target/memory-service.jar}, path in the system
 * property {@code baton.memory.jar}) as a separate JVM on a given port of 127.0.0.1, backed by
 * Redis: what the inference service talks to over HTTP in distributed mode. Its JVM options come
 * from the system property {@code baton.memory.java-options} (space-separated; default {@code
 * -Xmx768m}, the heap k8s/base/memory.yaml gives it: 75 % of 1 GiB), e.g. a GC log for a bench.
 */
public final class MemoryServiceProcess implements AutoCloseable {

    private final ServiceJar jar;

    private MemoryServiceProcess(ServiceJar jar) {
        this.jar = jar;
    }

    /**
     * Starts the service on {@code port} against {@code redisUrl} and waits until it is healthy. It
     * listens on 127.0.0.1 without a credential: open to this machine only.
     */
    public static MemoryServiceProcess start(int port, String redisUrl) {
        return start(port, redisUrl, null);
    }

    /**
     * Starts the service on {@code port} against {@code redisUrl}, requiring {@code token} on its
     * API ({@code BATON_SERVICE_TOKEN}; null: none), and waits until it is healthy.
     */
    public static MemoryServiceProcess start(int port, String redisUrl, String token) {
        Path jar = Path.of(System.getProperty("baton.memory.jar", "../memory-service/target/memory-service.jar"));
        Map<String, String> env = new HashMap<>(Map.of("BATON_REDIS_URL", redisUrl, "BATON_STORE_KIND", "redis"));
        if (token != null) {
            env.put("BATON_SERVICE_TOKEN", token);
        }
        List<String> options = List.of(System.getProperty("baton.memory.java-options", "-Xmx768m").trim().split("\\s+"));
        return new MemoryServiceProcess(ServiceJar.launch("memory-service", jar, options, port, env).awaitHealthy());
    }

    /** A port nobody listens on right now. */
    public static int freePort() {
        return ServiceJar.freePort();
    }

    public String baseUrl() {
        return jar.baseUrl();
    }

    public int port() {
        return jar.port();
    }

    /** The service's process, e.g. to read the CPU time it has used. */
    public ProcessHandle process() {
        return jar.process();
    }

    @Override
    public void close() {
        jar.close();
    }
}
