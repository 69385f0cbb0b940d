package io.baton.gateway.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.gateway.GatewayProperties;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Who may call the API: the documented configuration shape (environment variables included),
 * keys to tenants, and when the gateway refuses to start without keys.
 */
class AccessPolicyTest {

    static final String ACME_1 = "acme-key-0123456789";
    static final String ACME_2 = "acme-key-abcdefghij";
    static final String BETA = "beta-key-0123456789";

    @Test
    void environmentVariablesMapTenantsToTheirKeys() {
        GatewayProperties properties = bindEnvironment(Map.of(
                "BATON_ACCESS_APIKEYS_ACME", ACME_1 + "," + ACME_2,
                "BATON_ACCESS_APIKEYS_BETA", BETA));
        assertThat(properties.access().apiKeys()).containsOnly(
                Map.entry("acme", List.of(ACME_1, ACME_2)), Map.entry("beta", List.of(BETA)));
        assertThat(properties.access().open()).isFalse();
        assertThat(properties.access().tenant()).isEqualTo("local");
        assertThat(properties.access().toString()).doesNotContain(ACME_1, BETA);

        GatewayProperties open = bindEnvironment(Map.of("BATON_ACCESS_OPEN", "true", "BATON_ACCESS_TENANT", "lab"));
        assertThat(open.access().hasKeys()).isFalse();
        assertThat(open.access().open()).isTrue();
        assertThat(open.access().tenant()).isEqualTo("lab");
    }

    @Test
    void eachKeyResolvesToItsTenantAndNothingElseDoes() {
        AccessPolicy policy = AccessPolicy.of(access(Map.of("acme", List.of(ACME_1, ACME_2), "beta", List.of(BETA)),
                false), false, null);
        assertThat(policy.requiresKey()).isTrue();
        assertThat(policy.tenantOf(ACME_1)).contains("acme");
        assertThat(policy.tenantOf(ACME_2)).contains("acme");
        assertThat(policy.tenantOf(BETA)).contains("beta");
        assertThat(policy.tenantOf(ACME_1 + "x")).isEmpty();
        assertThat(policy.tenantOf("")).isEmpty();
        assertThat(policy.description()).contains("acme", "beta", "3 key(s)").doesNotContain(ACME_1, BETA);
        assertThatThrownBy(policy::openTenant).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void keysAreRequiredInStandaloneModeToo() {
        AccessPolicy policy = AccessPolicy.of(access(Map.of("acme", List.of(ACME_1)), false), true, loopback());
        assertThat(policy.requiresKey()).isTrue();
    }

    @Test
    void withoutKeysStandaloneOnLoopbackIsOpen() throws Exception {
        for (String address : List.of("127.0.0.1", "::1", "localhost")) {
            AccessPolicy policy = AccessPolicy.of(access(Map.of(), false), true, InetAddress.getByName(address));
            assertThat(policy.requiresKey()).as(address).isFalse();
            assertThat(policy.openTenant()).isEqualTo("local");
        }
    }

    @Test
    void withoutKeysAnythingElseRefusesToStartUnlessOpenIsExplicit() throws Exception {
        assertThatThrownBy(() -> AccessPolicy.of(access(Map.of(), false), false, null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("distributed mode").hasMessageContaining("BATON_ACCESS_OPEN=true");
        assertThatThrownBy(() -> AccessPolicy.of(access(Map.of(), false), false, loopback()))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> AccessPolicy.of(access(Map.of(), false), true, null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("all interfaces");
        assertThatThrownBy(() -> AccessPolicy.of(access(Map.of(), false), true, InetAddress.getByName("0.0.0.0")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("0.0.0.0");

        AccessPolicy open = AccessPolicy.of(access(Map.of(), true), false, null);
        assertThat(open.requiresKey()).isFalse();
        assertThat(open.openTenant()).isEqualTo("local");
        assertThat(open.description()).startsWith("OPEN");
    }

    @Test
    void keysAndOpenTogetherAreContradictory() {
        assertThatThrownBy(() -> AccessPolicy.of(access(Map.of("acme", List.of(ACME_1)), true), false, null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("both");
    }

    @Test
    void badKeysAndTenantsAreRefusedAtStart() {
        assertThatThrownBy(() -> access(Map.of("acme", List.of("short")), false))
                .hasMessageContaining("16");
        assertThatThrownBy(() -> access(Map.of("acme", List.of("has a space in the key")), false))
                .hasMessageContaining("printable");
        assertThatThrownBy(() -> access(Map.of("ac/me", List.of(ACME_1)), false)).hasMessageContaining("tenant");
        assertThatThrownBy(() -> access(Map.of("acme", List.of(ACME_1), "beta", List.of(ACME_1)), false))
                .hasMessageContaining("both");
        assertThatThrownBy(() -> access(Map.of("acme", List.of()), false)).hasMessageContaining("no key");
        assertThatThrownBy(() -> bindEnvironment(Map.of("BATON_ACCESS_APIKEYS_ACME", "short")))
                .isInstanceOf(BindException.class);
    }

    private static GatewayProperties.Access access(Map<String, List<String>> keys, boolean open) {
        return new GatewayProperties.Access(keys, open, "local");
    }

    private static InetAddress loopback() {
        return InetAddress.getLoopbackAddress();
    }

    private static GatewayProperties bindEnvironment(Map<String, Object> variables) {
        // Only these variables, not the machine's own environment.
        return new Binder(ConfigurationPropertySources.from(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables)))
                .bindOrCreate("baton", GatewayProperties.class);
    }
}
