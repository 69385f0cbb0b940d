package io.baton.memory;

import io.baton.common.testing.SpringServer;
import java.util.Map;

/**
 * The memory service started in this JVM on a random port, with the given {@code baton.*}
 * properties, for integration tests and benchmarks that need several configurations side by side.
 */
public final class MemoryServer implements AutoCloseable {

    private final SpringServer server;

    private MemoryServer(SpringServer server) {
        this.server = server;
    }

    /** Starts the service with {@code properties} on top of its defaults, on a random port. */
    public static MemoryServer start(Map<String, String> properties) {
        return new MemoryServer(SpringServer.start(MemoryServiceApplication.class, properties));
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String baseUrl() {
        return server.baseUrl();
    }

    public int port() {
        return server.port();
    }

    /** A bean of the running service. */
    public <T> T bean(Class<T> type) {
        return server.bean(type);
    }

    @Override
    public void close() {
        server.close();
    }
}
