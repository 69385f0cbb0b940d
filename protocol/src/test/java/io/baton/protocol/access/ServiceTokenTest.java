package io.baton.protocol.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** The service token: its shape, how it binds from the environment, the comparison, and that it is never shown. */
class ServiceTokenTest {

    static final String TOKEN = "3f9c1e0b44d277aa01c2d9e8f7a6b5c4";

    @Test
    void bindsFromTheEnvironmentVariable() {
        assertThat(bind(Map.of("BATON_SERVICE_TOKEN", TOKEN))).isEqualTo(new ServiceToken(TOKEN));
        assertThat(bind(Map.of("BATON_SERVICE_TOKEN", "  " + TOKEN + " "))).isEqualTo(new ServiceToken(TOKEN));
    }

    @Test
    void anEmptyOrMissingVariableIsNoToken() {
        assertThat(bind(Map.of("BATON_SERVICE_TOKEN", ""))).isNull();
        assertThat(bind(Map.of())).isNull();
        assertThat(ServiceToken.of("   ")).isNull();
        assertThat(ServiceToken.of(null)).isNull();
    }

    @Test
    void aTokenTooShortOrWithSpacesStopsTheStartWithTheRule() {
        assertThatThrownBy(() -> bind(Map.of("BATON_SERVICE_TOKEN", "short")))
                .isInstanceOf(BindException.class)
                .rootCause().hasMessageContaining("16 to 256 printable characters").hasMessageNotContaining("short");
        assertThatThrownBy(() -> ServiceToken.of("0123456789 abcdef")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ServiceToken.of("x".repeat(257))).isInstanceOf(IllegalArgumentException.class);
        assertThat(ServiceToken.of("x".repeat(16))).isNotNull();
        assertThat(ServiceToken.of("x".repeat(256))).isNotNull();
    }

    @Test
    void matchesOnlyItself() {
        ServiceToken token = new ServiceToken(TOKEN);
        assertThat(token.matches(TOKEN)).isTrue();
        assertThat(token.matches(TOKEN + "0")).isFalse();
        assertThat(token.matches(TOKEN.substring(1))).isFalse();
        assertThat(token.matches(TOKEN.toUpperCase())).isFalse();
        assertThat(token.matches("")).isFalse();
        assertThat(token.matches(null)).isFalse();
        assertThat(token.bearer()).isEqualTo("Bearer " + TOKEN);
    }

    @Test
    void isNeverShown() {
        assertThat(new ServiceToken(TOKEN).toString()).doesNotContain(TOKEN);
    }

    /** Binds from {@code variables} only, not the machine's own environment. */
    static ServiceToken bind(Map<String, Object> variables) {
        return new Binder(ConfigurationPropertySources.from(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables)))
                .bind("baton.service-token", ServiceToken.class).orElse(null);
    }
}
