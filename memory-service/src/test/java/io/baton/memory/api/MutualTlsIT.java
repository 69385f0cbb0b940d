package io.baton.memory.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.common.testing.TestCertificates;
import io.baton.memory.Checkpoints;
import io.baton.memory.MemoryServer;
import io.baton.protocol.BatonHeaders;
import io.baton.protocol.problems.ServiceCallException;
import io.baton.protocol.client.ClientSettings;
import io.baton.protocol.client.ServiceWebClients;
import io.baton.protocol.memory.HttpMemoryClient;
import io.baton.protocol.memory.StoredHead;
import io.baton.protocol.problems.ProblemType;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Mutual TLS as the service credential, through Spring Boot SSL bundles, with a certificate
 * authority made for the test ({@link TestCertificates}): the memory service on all interfaces
 * with {@code server.ssl.client-auth=need} and no token starts (the certificate is its
 * credential); the protocol's memory client with a client certificate the CA signed reads and
 * writes; one without a certificate, or with one no CA it trusts signed, does not get through
 * the handshake. With {@code want}, a request without a certificate gets the 401 problem and
 * health stays open for probes.
 */
class MutualTlsIT {

    static final String TENANT = "t-" + UUID.randomUUID();

    static TestCertificates certificates;
    static MemoryServer need;
    static MemoryServer want;

    @BeforeAll
    static void start() {
        certificates = TestCertificates.create();
        need = MemoryServer.start(tls("need"));
        want = MemoryServer.start(tls("want"));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {want, need, certificates}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                System.err.println("closing " + closeable + ": " + e);
            }
        }
    }

    /** A memory service on all interfaces, TLS from the bundle {@code memory} (the server key and the CA). */
    static Map<String, String> tls(String clientAuth) {
        Map<String, String> properties = new LinkedHashMap<>(certificates.bundleProperties("memory", "server"));
        properties.put("server.ssl.bundle", "memory");
        properties.put("server.ssl.client-auth", clientAuth);
        properties.put("server.address", "0.0.0.0");
        properties.put("baton.store.kind", "memory");
        return properties;
    }

    @Test
    void aClientWithACertificateTheCaSignedReadsAndWrites() {
        HttpMemoryClient client = client(need, certificates.bundle("client"));
        byte[] checkpoint = Checkpoints.checkpoint(TENANT, "tls", 0);
        client.put(TENANT, "tls", 0, checkpoint, null).block(Duration.ofSeconds(30));
        StoredHead head = client.head(TENANT, "tls").block(Duration.ofSeconds(30));
        assertThat(head).isNotNull();
        assertThat(head.segment()).isZero();
        assertThat(client.checkpoint(TENANT, "tls", 0).block(Duration.ofSeconds(30))).isEqualTo(checkpoint);
    }

    @Test
    void aClientWithoutACertificateOrWithAStrangersDoesNotGetThrough() {
        for (String without : new String[] {"trust", "stranger"}) {
            HttpMemoryClient client = client(need, certificates.bundle(without));
            assertThatThrownBy(() -> client.head(TENANT, "tls").block(Duration.ofSeconds(30))).as(without)
                    .isInstanceOfSatisfying(ServiceCallException.class,
                            e -> assertThat(e.type()).isEqualTo(ProblemType.MEMORY_UNAVAILABLE));
        }
    }

    @Test
    void whereTlsOnlyAsksForACertificateTheFilterRequiresOneAndHealthStaysOpen() {
        WebClient anonymous = web(want, certificates.bundle("trust"));
        assertThat(status(anonymous, "/v1/documents")).isEqualTo(401);
        assertThat(anonymous.get().uri("/v1/documents").header(BatonHeaders.TENANT, TENANT)
                .exchangeToMono(response -> response.bodyToMono(String.class)).block(Duration.ofSeconds(30)))
                .contains("urn:baton:problem:missing-credentials", "client certificate");
        assertThat(status(anonymous, "/actuator/health")).isEqualTo(200);
        assertThat(status(web(want, certificates.bundle("client")), "/v1/documents")).isEqualTo(200);
    }

    static ClientSettings settings(MemoryServer server, SslBundle bundle) {
        return new ClientSettings("https://127.0.0.1:" + server.port(), Duration.ofSeconds(10), 0, Duration.ZERO,
                null, null, null).withSsl(bundle);
    }

    static HttpMemoryClient client(MemoryServer server, SslBundle bundle) {
        return HttpMemoryClient.create(settings(server, bundle), 1024 * 1024);
    }

    static WebClient web(MemoryServer server, SslBundle bundle) {
        return ServiceWebClients.create(WebClient.builder(), settings(server, bundle), 1024 * 1024);
    }

    static int status(WebClient web, String path) {
        HttpStatusCode status = web.get().uri(path).header(BatonHeaders.TENANT, TENANT)
                .exchangeToMono(response -> response.releaseBody().thenReturn(response.statusCode()))
                .block(Duration.ofSeconds(30));
        return status == null ? -1 : status.value();
    }
}
