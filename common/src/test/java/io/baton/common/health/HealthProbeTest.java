package io.baton.common.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthProbeTest {

    private HttpServer server;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/up", exchange -> answer(exchange, 200, "{\"status\":\"UP\"}"));
        server.createContext("/down", exchange -> answer(exchange, 503, "{\"status\":\"OUT_OF_SERVICE\"}"));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void aTwoHundredIsHealthy() {
        assertThat(HealthProbe.check(url("/up"))).isTrue();
    }

    @Test
    void aServiceThatIsNotReadyIsUnhealthy() {
        assertThat(HealthProbe.check(url("/down"))).isFalse();
    }

    @Test
    void nothingListeningIsUnhealthy() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        assertThat(HealthProbe.check("http://127.0.0.1:" + port + "/actuator/health/readiness")).isFalse();
    }

    @Test
    void aBarePathMeansThisContainersOwnPort() {
        assertThat(HealthProbe.url("/actuator/health/readiness", "8082"))
                .isEqualTo("http://127.0.0.1:8082/actuator/health/readiness");
        assertThat(HealthProbe.url("/actuator/health/readiness", null))
                .isEqualTo("http://127.0.0.1:8080/actuator/health/readiness");
        assertThat(HealthProbe.url("http://memory:8082/actuator/health", "8080"))
                .isEqualTo("http://memory:8082/actuator/health");
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, int status, String body)
            throws IOException {
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
