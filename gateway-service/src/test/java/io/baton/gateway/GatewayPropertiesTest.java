package io.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.protocol.access.ServiceToken;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** The credentials the gateway's clients send to inference and memory, as the environment sets them. */
class GatewayPropertiesTest {

    static final String TOKEN = "3f9c1e0b44d277aa01c2d9e8f7a6b5c4";

    @Test
    void theServiceTokenAndTheClientsSslBundlesBindFromTheEnvironment() {
        GatewayProperties properties = bind(Map.of("BATON_SERVICE_TOKEN", TOKEN,
                "BATON_INFERENCE_URL", "https://inference:8081", "BATON_INFERENCE_SSLBUNDLE", "platform",
                "BATON_MEMORY_URL", "https://memory:8082", "BATON_MEMORY_SSLBUNDLE", "platform"));
        assertThat(properties.serviceToken()).isEqualTo(new ServiceToken(TOKEN));
        assertThat(properties.inference().sslBundle()).isEqualTo("platform");
        assertThat(properties.memory().sslBundle()).isEqualTo("platform");
        assertThat(properties.toString()).doesNotContain(TOKEN);
        assertThat(properties.inference().client().withToken(properties.serviceToken()).toString()).doesNotContain(TOKEN);
    }

    @Test
    void withoutThemNothingIsSent() {
        GatewayProperties properties = bind(Map.of());
        assertThat(properties.serviceToken()).isNull();
        assertThat(properties.inference().sslBundle()).isNull();
        assertThat(properties.memory().client().token()).isNull();
        assertThat(properties.memory().client().ssl()).isNull();
    }

    private static GatewayProperties bind(Map<String, Object> variables) {
        // Only these variables, not the machine's own environment.
        return new Binder(ConfigurationPropertySources.from(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables)))
                .bindOrCreate("baton", GatewayProperties.class);
    }
}
