package io.baton.protocol.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.protocol.problems.ProblemType;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.server.Ssl;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * When a service needs a credential, which ones it takes, and when it refuses to start: each row
 * of the table in docs/protocol.md ("Service credentials"), and the answer to each kind of
 * request.
 */
class ServiceAccessTest {

    static final ServiceToken TOKEN = new ServiceToken("3f9c1e0b44d277aa01c2d9e8f7a6b5c4");
    static final String BEARER = "Bearer " + TOKEN.value();

    @Test
    void aTokenIsRequiredWhereverTheServiceListens() throws Exception {
        for (InetAddress bound : new InetAddress[] {null, loopback(), InetAddress.getByName("10.1.2.3")}) {
            ServiceAccess access = ServiceAccess.of("memory service", TOKEN, false, bound, null);
            assertThat(access.open()).isFalse();
            assertThatCode(() -> access.authenticate(BEARER, false)).doesNotThrowAnyException();
            refused(() -> access.authenticate(null, false), ProblemType.MISSING_CREDENTIALS);
            assertThat(access.description()).contains("service token required").doesNotContain(TOKEN.value());
        }
    }

    @Test
    void theBearerSchemeIsCaseInsensitiveAndAnythingElseIsInvalid() {
        ServiceAccess access = ServiceAccess.of("memory service", TOKEN, false, null, Ssl.ClientAuth.NONE);
        assertThatCode(() -> access.authenticate("bearer " + TOKEN.value(), false)).doesNotThrowAnyException();
        assertThatCode(() -> access.authenticate("BEARER  " + TOKEN.value() + " ", false)).doesNotThrowAnyException();
        refused(() -> access.authenticate(" ", false), ProblemType.MISSING_CREDENTIALS);
        refused(() -> access.authenticate("Bearer", false), ProblemType.INVALID_CREDENTIALS);
        refused(() -> access.authenticate("Bearer wrong-token-0123456789", false), ProblemType.INVALID_CREDENTIALS);
        refused(() -> access.authenticate(TOKEN.value(), false), ProblemType.INVALID_CREDENTIALS);
        refused(() -> access.authenticate("Basic " + TOKEN.value(), false), ProblemType.INVALID_CREDENTIALS);
        // Without client authentication in TLS a certificate is never a credential.
        refused(() -> access.authenticate(null, true), ProblemType.MISSING_CREDENTIALS);
    }

    @Test
    void aRefusalNamesWhatWouldDoAndNeverWhatWasSent() {
        ServiceAccess access = ServiceAccess.of("memory service", TOKEN, false, null, null);
        assertThatThrownBy(() -> access.authenticate(null, false))
                .isInstanceOfSatisfying(CredentialsException.class, e -> {
                    assertThat(e.status()).isEqualTo(401);
                    assertThat(e.challenge()).isEqualTo("Bearer");
                    assertThat(e.getMessage()).contains("memory service", "Authorization: Bearer");
                });
        assertThatThrownBy(() -> access.authenticate("Bearer guessed-token-0123456789", false))
                .isInstanceOfSatisfying(CredentialsException.class, e -> {
                    assertThat(e.challenge()).startsWith("Bearer").contains("invalid_token");
                    assertThat(e.getMessage()).doesNotContain("guessed-token", TOKEN.value());
                });
    }

    @Test
    void tlsThatVerifiesClientCertificatesIsACredentialAndTheTokenTheOther() {
        for (Ssl.ClientAuth auth : List.of(Ssl.ClientAuth.NEED, Ssl.ClientAuth.WANT)) {
            ServiceAccess certificates = ServiceAccess.of("memory service", null, false, null, auth);
            assertThat(certificates.open()).as(auth.name()).isFalse();
            assertThatCode(() -> certificates.authenticate(null, true)).doesNotThrowAnyException();
            refused(() -> certificates.authenticate(null, false), ProblemType.MISSING_CREDENTIALS);
            refused(() -> certificates.authenticate(BEARER, false), ProblemType.INVALID_CREDENTIALS);
            assertThat(certificates.description()).contains("client certificate required");

            ServiceAccess both = ServiceAccess.of("memory service", TOKEN, false, null, auth);
            assertThatCode(() -> both.authenticate(null, true)).doesNotThrowAnyException();
            assertThatCode(() -> both.authenticate(BEARER, false)).doesNotThrowAnyException();
            refused(() -> both.authenticate(null, false), ProblemType.MISSING_CREDENTIALS);
        }
    }

    @Test
    void withoutACredentialLoopbackIsOpen() throws Exception {
        for (String address : List.of("127.0.0.1", "::1", "localhost")) {
            ServiceAccess access = ServiceAccess.of("memory service", null, false, InetAddress.getByName(address), null);
            assertThat(access.open()).as(address).isTrue();
            assertThatCode(() -> access.authenticate(null, false)).doesNotThrowAnyException();
            assertThat(access.description()).contains("this machine only");
        }
    }

    @Test
    void withoutACredentialAnythingElseRefusesToStartUnlessOpenIsExplicit() throws Exception {
        for (InetAddress bound : new InetAddress[] {null, InetAddress.getByName("0.0.0.0"), InetAddress.getByName("10.1.2.3")}) {
            assertThatThrownBy(() -> ServiceAccess.of("inference service", null, false, bound, Ssl.ClientAuth.NONE))
                    .isInstanceOfSatisfying(AccessConfigurationException.class, e -> {
                        assertThat(e.getMessage()).contains("inference service would listen on",
                                bound == null ? "all interfaces" : bound.getHostAddress(), "without a credential");
                        assertThat(e.action()).contains("BATON_SERVICE_TOKEN", "server.ssl.client-auth=need",
                                "SERVER_ADDRESS=127.0.0.1", "BATON_ACCESS_OPEN=true");
                    });
            ServiceAccess open = ServiceAccess.of("inference service", null, true, bound, null);
            assertThat(open.open()).isTrue();
            assertThat(open.description()).startsWith("OPEN");
        }
    }

    @Test
    void aCredentialAndOpenAccessTogetherAreContradictory() {
        assertThatThrownBy(() -> ServiceAccess.of("memory service", TOKEN, true, loopback(), null))
                .isInstanceOfSatisfying(AccessConfigurationException.class, e -> {
                    assertThat(e.getMessage()).contains("baton.access.open=true", "baton.service-token")
                            .doesNotContain(TOKEN.value());
                    assertThat(e.action()).contains("Remove baton.access.open");
                });
        assertThatThrownBy(() -> ServiceAccess.of("memory service", null, true, null, Ssl.ClientAuth.NEED))
                .isInstanceOf(AccessConfigurationException.class)
                .hasMessageContaining("server.ssl.client-auth=need");
    }

    @Test
    void theServersOwnSettingsAreReadFromTheEnvironment() {
        AccessSettings none = settings(null, false);
        assertThatThrownBy(() -> ServiceAccess.of("memory service", none, environment(Map.of())))
                .hasMessageContaining("all interfaces");
        assertThat(ServiceAccess.of("memory service", none, environment(Map.of("server.address", "127.0.0.1"))).open())
                .isTrue();
        assertThatThrownBy(() -> ServiceAccess.of("memory service", none, environment(Map.of("server.address", "0.0.0.0"))))
                .hasMessageContaining("0.0.0.0");
        // Mutual TLS through an SSL bundle: a credential, so all interfaces are allowed.
        ServiceAccess tls = ServiceAccess.of("memory service", none, environment(Map.of(
                "server.ssl.bundle", "memory", "server.ssl.client-auth", "need")));
        assertThat(tls.open()).isFalse();
        assertThatCode(() -> tls.authenticate(null, true)).doesNotThrowAnyException();
        // Client authentication on a server whose TLS is turned off is none.
        assertThatThrownBy(() -> ServiceAccess.of("memory service", none, environment(Map.of(
                "server.ssl.enabled", "false", "server.ssl.bundle", "memory", "server.ssl.client-auth", "need"))))
                .isInstanceOf(AccessConfigurationException.class);
        assertThat(ServiceAccess.of("memory service", settings(TOKEN, false), environment(Map.of())).open()).isFalse();
        assertThatThrownBy(() -> ServiceAccess.of("memory service", none, environment(Map.of("server.address", "no.such.host.invalid"))))
                .isInstanceOf(AccessConfigurationException.class).hasMessageContaining("does not resolve");
    }

    static void refused(ThrowingCallable call, ProblemType type) {
        assertThatThrownBy(call).isInstanceOfSatisfying(CredentialsException.class,
                e -> assertThat(e.type()).isEqualTo(type));
    }

    static InetAddress loopback() {
        return InetAddress.getLoopbackAddress();
    }

    static AccessSettings settings(ServiceToken token, boolean open) {
        return new AccessSettings() {
            @Override
            public ServiceToken serviceToken() {
                return token;
            }

            @Override
            public boolean openAccess() {
                return open;
            }
        };
    }

    /** Only {@code properties}, not the machine's own environment (a SERVER_ADDRESS there, say). */
    static StandardEnvironment environment(Map<String, Object> properties) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
        return environment;
    }
}
