package io.baton.common.testing;

import io.baton.common.redis.RedisSettings;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real {@code redis-server} that speaks only TLS ({@code --port 0 --tls-port P}) and requires a
 * client certificate ({@code --tls-auth-clients yes}), with a certificate authority and keys made
 * for the test ({@link TestCertificates}, PEM through {@link TestCertificates#pem}): the server's
 * certificate names {@code 127.0.0.1}; {@link #clientTls()} trusts the CA and presents {@code
 * client}, signed by it. A child process on a free loopback port, stopped, and the certificates
 * deleted, when the test class is done:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RedisTestTls redis = new RedisTestTls();
 * ... redis.url(), redis.clientTls()   // for baton.redis.url and baton.redis.tls.*
 * }</pre>
 *
 * Without {@code redis-server} on the PATH the test class is skipped with one loud line, or fails
 * under {@code CI=true}.
 */
public final class RedisTestTls implements BeforeAllCallback, AfterAllCallback {

    private final RedisProcesses processes = new RedisProcesses("REDIS TLS TESTS");
    private TestCertificates certificates;
    private int port;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        try {
            certificates = TestCertificates.create();
            port = RedisProcesses.freePort(Set.of(), null);
            List<String> command = new java.util.ArrayList<>(List.of("redis-server", "--port", "0",
                    "--tls-port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--dir", processes.folder(Integer.toString(port)).toString(), "--save", "", "--appendonly", "no"));
            command.addAll(serverOptions(certificates));
            processes.start(Integer.toString(port), command);
            processes.awaitAnswer(port);
            processes.await("redis-server on TLS port " + port + " did not answer PING over TLS",
                    () -> "PONG".equals(RedisProcesses.ask(RedisURI.create(url()), clientOptions(certificates),
                            connection -> connection.sync().ping(), "")) ? "" : "no PONG over TLS");
        } catch (Exception | Error e) {
            afterAll(context);
            throw e;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        processes.stop();
        if (certificates != null) {
            certificates.close();
        }
    }

    /** {@code rediss://127.0.0.1:P}. */
    public String url() {
        return "rediss://127.0.0.1:" + port;
    }

    /** The CA and the keys; {@code stranger} is a key no CA of this server vouches for. */
    public TestCertificates certificates() {
        return certificates;
    }

    /** What a client of this server sets: the test CA to trust, the {@code client} certificate and key. */
    public RedisSettings.Tls clientTls() {
        return clientTls(certificates);
    }

    static RedisSettings.Tls clientTls(TestCertificates certificates) {
        TestCertificates.Pem client = certificates.pem("client");
        return new RedisSettings.Tls(certificates.caCertificate(), client.certificate(), client.key());
    }

    /** Lettuce options of a client that trusts the test CA and presents the client certificate. */
    static ClientOptions clientOptions(TestCertificates certificates) {
        return RedisSettings.of("test", "rediss://127.0.0.1:1", "standalone", Duration.ofSeconds(2), true,
                clientTls(certificates)).clientOptions();
    }

    /**
     * The TLS options of a {@code redis-server} with these certificates: its certificate and key,
     * the CA its clients' (and peers') certificates must be signed by, client certificates required;
     * and for its own outgoing connections (cluster bus, replication) the client certificate, since
     * the server's is for server authentication only and peers that require client certificates
     * refuse it.
     */
    static List<String> serverOptions(TestCertificates certificates) {
        TestCertificates.Pem server = certificates.pem("server");
        TestCertificates.Pem client = certificates.pem("client");
        return List.of("--tls-cert-file", server.certificate().toString(), "--tls-key-file", server.key().toString(),
                "--tls-client-cert-file", client.certificate().toString(), "--tls-client-key-file", client.key().toString(),
                "--tls-ca-cert-file", certificates.caCertificate().toString(), "--tls-auth-clients", "yes");
    }
}
