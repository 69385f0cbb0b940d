package io.baton.inference.testing;

import io.baton.common.testing.SpringServer;
import io.baton.inference.InferenceServiceApplication;
import io.baton.protocol.access.ServiceToken;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * An inference-service instance started in this JVM on a random port, so tests can run several
 * side by side, stop one and start another (state lives only in the memory service).
 */
public final class InferenceServer implements AutoCloseable {

    private final SpringServer server;
    private final ServiceToken token;

    private InferenceServer(SpringServer server, ServiceToken token) {
        this.server = server;
        this.token = token;
    }

    /**
     * Starts an instance with {@code properties} on top of its defaults (on {@code 127.0.0.1};
     * with {@code baton.service-token} its API needs the token, which {@link #client()} sends).
     */
    public static InferenceServer start(Map<String, String> properties) {
        return new InferenceServer(SpringServer.start(InferenceServiceApplication.class, properties),
                ServiceToken.of(properties.get("baton.service-token")));
    }

    /** {@code http://127.0.0.1:<port>} of this instance. */
    public String baseUrl() {
        return server.baseUrl();
    }

    /** A client of this instance, accepting large JSON bodies, sending the service token if it has one. */
    public WebClient client() {
        WebClient.Builder builder = WebClient.builder().baseUrl(baseUrl())
                .codecs(c -> c.defaultCodecs().maxInMemorySize(32 * 1024 * 1024));
        if (token != null) {
            builder.defaultHeader(HttpHeaders.AUTHORIZATION, token.bearer());
        }
        return builder.build();
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
