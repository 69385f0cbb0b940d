package io.baton.inference.testing;

import io.baton.common.testing.SpringServer;
import io.baton.inference.InferenceServiceApplication;
import java.util.Map;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * An inference-service instance started in this JVM on a random port, so tests can run several
 * side by side, stop one and start another (state lives only in the memory service).
 */
public final class InferenceServer implements AutoCloseable {

    private final SpringServer server;

    private InferenceServer(SpringServer server) {
        this.server = server;
    }

    /** Starts an instance with {@code properties} on top of its defaults. */
    public static InferenceServer start(Map<String, String> properties) {
        return new InferenceServer(SpringServer.start(InferenceServiceApplication.class, properties));
    }

    /** {@code http://127.0.0.1:<port>} of this instance. */
    public String baseUrl() {
        return server.baseUrl();
    }

    /** A client of this instance, accepting large JSON bodies. */
    public WebClient client() {
        return WebClient.builder().baseUrl(baseUrl())
                .codecs(c -> c.defaultCodecs().maxInMemorySize(32 * 1024 * 1024)).build();
    }

    /** A bean of the running instance. */
    public <T> T bean(Class<T> type) {
        return server.bean(type);
    }

    @Override
    public void close() {
        server.close();
    }
}
