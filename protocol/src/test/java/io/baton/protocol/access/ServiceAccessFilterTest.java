package io.baton.protocol.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.protocol.BatonHeaders;
import io.baton.protocol.problems.ProblemAdvice;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.server.Ssl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.http.server.reactive.SslInfo;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The filter on its own, without a server: which paths it guards, that a refused request never
 * reaches the chain and gets the 401 problem (type and status from the catalogue, written as
 * {@code application/problem+json}) with its challenge, and that a token or a verified client
 * certificate lets the request through.
 */
class ServiceAccessFilterTest {

    static final ServiceToken TOKEN = new ServiceToken("3f9c1e0b44d277aa01c2d9e8f7a6b5c4");

    final ServiceAccessFilter filter = filter(ServiceAccess.of("memory service", TOKEN, false, null, null));

    @Test
    void noCredentialIsA401ProblemWithAChallengeAndNothingRuns() {
        Outcome outcome = run(filter, MockServerHttpRequest.get("/v1/documents/doc/head"));
        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.exchange().getResponse().getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(outcome.exchange().getResponse().getHeaders().getFirst(HttpHeaders.WWW_AUTHENTICATE)).isEqualTo("Bearer");
        assertThat(outcome.exchange().getResponse().getHeaders().getContentType())
                .isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(outcome.body()).contains("\"type\":\"urn:baton:problem:missing-credentials\"", "\"status\":401",
                "\"title\":\"Missing credentials\"", "\"instance\":\"/v1/documents/doc/head\"");
    }

    @Test
    void aForgedTenantWithoutATokenIsRefused() {
        Outcome outcome = run(filter, MockServerHttpRequest.put("/v1/documents/doc/checkpoints/0")
                .header(BatonHeaders.TENANT, "someone-else"));
        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.body()).contains("missing-credentials");
    }

    @Test
    void aWrongTokenIsInvalid() {
        Outcome outcome = run(filter, MockServerHttpRequest.get("/v1/documents")
                .header(HttpHeaders.AUTHORIZATION, "Bearer not-the-token-0123456789"));
        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.exchange().getResponse().getHeaders().getFirst(HttpHeaders.WWW_AUTHENTICATE))
                .startsWith("Bearer");
        assertThat(outcome.body()).contains("urn:baton:problem:invalid-credentials").doesNotContain("not-the-token");
    }

    @Test
    void theTokenLetsTheRequestThrough() {
        Outcome outcome = run(filter, MockServerHttpRequest.get("/v1/documents")
                .header(HttpHeaders.AUTHORIZATION, TOKEN.bearer()));
        assertThat(outcome.passed()).isTrue();
        assertThat(outcome.exchange().getResponse().getStatusCode()).isNull();
    }

    @Test
    void everythingUnderV1IsGuardedAndNothingElse() {
        for (String path : new String[] {"/v1", "/v1/", "/v1/no-such-route", "/v1/segments", "/v1/models/x"}) {
            assertThat(run(filter, MockServerHttpRequest.get(path)).passed()).as(path).isFalse();
        }
        for (String path : new String[] {"/actuator/health", "/", "/v10", "/v1x/documents"}) {
            assertThat(run(filter, MockServerHttpRequest.get(path)).passed()).as(path).isTrue();
        }
    }

    @Test
    void aClientCertificateVerifiedByTlsIsACredentialWhenTlsAsksForOne() throws Exception {
        SslInfo certified = sslInfo(someCertificate());
        ServiceAccessFilter mutualTls = filter(ServiceAccess.of("memory service", null, false, null,
                Ssl.ClientAuth.WANT));
        assertThat(run(mutualTls, MockServerHttpRequest.get("/v1/documents").sslInfo(certified)).passed()).isTrue();
        assertThat(run(mutualTls, MockServerHttpRequest.get("/v1/documents").sslInfo(sslInfo())).passed()).isFalse();
        assertThat(run(mutualTls, MockServerHttpRequest.get("/v1/documents")).passed()).isFalse();
        // Where TLS does not ask for certificates, the token is still needed.
        assertThat(run(filter, MockServerHttpRequest.get("/v1/documents").sslInfo(certified)).passed()).isFalse();
    }

    @Test
    void anOpenServiceLetsEverythingThrough() {
        ServiceAccessFilter open = filter(ServiceAccess.of("memory service", null, false,
                InetAddress.getLoopbackAddress(), null));
        assertThat(run(open, MockServerHttpRequest.get("/v1/documents")).passed()).isTrue();
    }

    record Outcome(MockServerWebExchange exchange, boolean passed) {

        String body() {
            return exchange.getResponse().getBodyAsString().block(Duration.ofSeconds(5));
        }
    }

    static Outcome run(ServiceAccessFilter filter, MockServerHttpRequest.BaseBuilder<?> request) {
        MockServerWebExchange exchange = MockServerWebExchange.from(request);
        AtomicBoolean passed = new AtomicBoolean();
        WebFilterChain chain = e -> {
            passed.set(true);
            return Mono.empty();
        };
        filter.filter(exchange, chain).block(Duration.ofSeconds(5));
        return new Outcome(exchange, passed.get());
    }

    static ServiceAccessFilter filter(ServiceAccess access) {
        return new ServiceAccessFilter(access, ServerCodecConfigurer.create(), new ProblemAdvice() {
            @Override
            protected String serviceName() {
                return "memory service";
            }
        });
    }

    static SslInfo sslInfo(X509Certificate... peer) {
        return new SslInfo() {
            @Override
            public String getSessionId() {
                return "test";
            }

            @Override
            public X509Certificate[] getPeerCertificates() {
                return peer.length == 0 ? null : peer;
            }
        };
    }

    /** A real certificate: the first of the JDK's own trust store. */
    static X509Certificate someCertificate() throws IOException, GeneralSecurityException {
        Path cacerts = Path.of(System.getProperty("java.home"), "lib", "security", "cacerts");
        KeyStore store = KeyStore.getInstance(cacerts.toFile(), (char[]) null);
        for (String alias : Collections.list(store.aliases())) {
            if (store.getCertificate(alias) instanceof X509Certificate certificate) {
                return certificate;
            }
        }
        throw new IllegalStateException("no certificate in " + cacerts);
    }
}
