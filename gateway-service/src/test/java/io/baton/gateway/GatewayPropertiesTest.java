package io.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.protocol.access.ServiceToken;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The credentials the gateway's clients send to inference and memory, and the admission limits, as
 * the environment sets them.
 */
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

    @Test
    void theLimitsBindFromTheEnvironmentAndDefaultAsDocumented() {
        GatewayProperties.Limits defaults = bind(Map.of()).limits();
        assertThat(defaults.tenantConcurrency()).isEqualTo(16);
        assertThat(defaults.rateLimited()).isFalse();
        assertThat(defaults.requestTimeout()).isEqualTo(Duration.ofHours(2));
        assertThat(defaults.headerReadTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.bodyReadTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(defaults.maxHeaderSize()).isEqualTo(org.springframework.util.unit.DataSize.ofKilobytes(16));
        GatewayProperties.Pipeline pipeline = bind(Map.of()).pipeline();
        assertThat(pipeline.maxWaiting()).isEqualTo(64);
        assertThat(pipeline.maxWait()).isEqualTo(Duration.ofSeconds(30));

        GatewayProperties set = bind(Map.of("BATON_LIMITS_TENANTCONCURRENCY", "3",
                "BATON_LIMITS_TOKENSPERSECOND", "500", "BATON_LIMITS_REQUESTTIMEOUT", "10m",
                "BATON_LIMITS_HEADERREADTIMEOUT", "5s", "BATON_LIMITS_BODYREADTIMEOUT", "1m",
                "BATON_LIMITS_MAXHEADERSIZE", "64KB", "BATON_PIPELINE_MAXWAITING", "8", "BATON_PIPELINE_MAXWAIT", "2s"));
        assertThat(set.limits().tenantConcurrency()).isEqualTo(3);
        assertThat(set.limits().tokensPerSecond()).isEqualTo(500);
        assertThat(set.limits().tokenBurst()).as("60 s of the rate").isEqualTo(30_000);
        assertThat(set.limits().requestTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(set.limits().headerReadTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(set.limits().bodyReadTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(set.limits().maxHeaderSize()).isEqualTo(org.springframework.util.unit.DataSize.ofKilobytes(64));
        assertThat(set.pipeline().maxWaiting()).isEqualTo(8);
        assertThat(set.pipeline().maxWait()).isEqualTo(Duration.ofSeconds(2));
        assertThat(bind(Map.of("BATON_LIMITS_TOKENSPERSECOND", "500", "BATON_LIMITS_TOKENBURST", "7")).limits()
                .tokenBurst()).isEqualTo(7);
    }

    private static GatewayProperties bind(Map<String, Object> variables) {
        // Only these variables, not the machine's own environment.
        return new Binder(ConfigurationPropertySources.from(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables)))
                .bindOrCreate("baton", GatewayProperties.class);
    }
}
