package io.baton.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.protocol.access.ServiceToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** The configuration binds from environment variables, and every setting has a default. */
class InferencePropertiesTest {

    @Test
    void everySettingHasADefault() {
        InferenceProperties p = bind(Map.of());
        assertThat(p.models().dir()).endsWith(Path.of("models", "zoo"));
        assertThat(p.models().dir()).as("the repository's zoo, found from inference-service/").isDirectory();
        assertThat(p.models().defaultModel()).isEqualTo("jamba-medium");
        assertThat(p.models().cpuDefault()).isEqualTo("jamba-medium");
        assertThat(p.models().gpuDefault()).isEqualTo("jamba-large");
        assertThat(p.models().maxPast()).isEqualTo(4096);
        assertThat(p.models().load()).isEqualTo("all");
        assertThat(p.memory().url()).isEqualTo("http://127.0.0.1:8082");
        assertThat(p.memory().retries()).isEqualTo(2);
        assertThat(p.memory().circuitBreaker().failureRatePercent()).isEqualTo(50);
        assertThat(p.onnx().provider()).isEqualTo("cpu");
        assertThat(p.onnx().optimization()).isEqualTo("all");
        assertThat(p.onnx().memoryArena()).isTrue();
        assertThat(p.onnx().cudaConvAlgoSearch()).isEqualTo("heuristic");
        assertThat(p.batching().maxBatch()).isEqualTo(8);
        assertThat(p.batching().maxWait()).isEqualTo(Duration.ZERO);
        assertThat(p.segments().maxTokens()).isEqualTo(2048);
        assertThat(p.segments().maxSentences()).isEqualTo(2048);
        assertThat(p.segments().maxSentenceCoverage()).isEqualTo(4);
        assertThat(p.segments().maxInFlight()).isEqualTo(512);
        assertThat(p.batching().maxQueued()).isEqualTo(256);
        assertThat(p.generation().maxInFlight()).isEqualTo(64);
        assertThat(p.stateCache().idleExpiry()).isEqualTo(Duration.ofMinutes(10));
        assertThat(p.runner().threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(p.serviceToken()).isNull();
        assertThat(p.openAccess()).isFalse();
        assertThat(p.memory().sslBundle()).isNull();
        assertThat(p.memory().client().token()).isNull();
    }

    @Test
    void bindsTheLimitsFromEnvironmentVariables() {
        InferenceProperties p = bind(Map.of(
                "BATON_SEGMENTS_MAXSENTENCES", "100",
                "BATON_SEGMENTS_MAXSENTENCECOVERAGE", "2",
                "BATON_SEGMENTS_MAXINFLIGHT", "32",
                "BATON_BATCHING_MAXQUEUED", "16",
                "BATON_GENERATION_MAXINFLIGHT", "4",
                "BATON_STATECACHE_IDLEEXPIRY", "90s"));
        assertThat(p.segments().maxSentences()).isEqualTo(100);
        assertThat(p.segments().maxSentenceCoverage()).isEqualTo(2);
        assertThat(p.segments().maxInFlight()).isEqualTo(32);
        assertThat(p.batching().maxQueued()).isEqualTo(16);
        assertThat(p.generation().maxInFlight()).isEqualTo(4);
        assertThat(p.stateCache().idleExpiry()).isEqualTo(Duration.ofSeconds(90));
        assertThatThrownBy(() -> bind(Map.of("BATON_BATCHING_MAXQUEUED", "0"))).isInstanceOf(BindException.class)
                .rootCause().hasMessageContaining("baton.batching.max-queued");
        assertThatThrownBy(() -> bind(Map.of("BATON_STATECACHE_IDLEEXPIRY", "0s"))).isInstanceOf(BindException.class)
                .rootCause().hasMessageContaining("baton.state-cache.idle-expiry");
    }

    @Test
    void bindsTheServiceCredentials() {
        InferenceProperties p = bind(Map.of(
                "BATON_SERVICE_TOKEN", "3f9c1e0b44d277aa01c2d9e8f7a6b5c4",
                "BATON_MEMORY_URL", "https://memory:8082",
                "BATON_MEMORY_SSLBUNDLE", "platform"));
        assertThat(p.serviceToken()).isEqualTo(new ServiceToken("3f9c1e0b44d277aa01c2d9e8f7a6b5c4"));
        assertThat(p.toString()).doesNotContain("3f9c1e0b44d277aa01c2d9e8f7a6b5c4");
        assertThat(p.memory().sslBundle()).isEqualTo("platform");
        assertThat(bind(Map.of("BATON_ACCESS_OPEN", "true")).openAccess()).isTrue();
        assertThatThrownBy(() -> bind(Map.of("BATON_SERVICE_TOKEN", "too-short")))
                .isInstanceOf(BindException.class)
                .rootCause().hasMessageContaining("baton.service-token");
    }

    @Test
    void bindsEnvironmentVariables() {
        InferenceProperties p = bind(Map.of(
                "BATON_MODELS_DIR", "/srv/models",
                "BATON_MODELS_MAXPAST", "1024",
                "BATON_MEMORY_URL", "http://memory:8082",
                "BATON_MEMORY_TIMEOUT", "750ms",
                "BATON_MEMORY_CIRCUITBREAKER_OPENFOR", "30s",
                "BATON_ONNX_PROVIDER", "CUDA",
                "BATON_ONNX_DEVICEID", "1",
                "BATON_ONNX_INTRAOPTHREADS", "4",
                "BATON_BATCHING_MAXBATCH", "32",
                "BATON_RUNNER_THREADS", "3"));
        assertThat(p.models().dir()).isEqualTo(Path.of("/srv/models"));
        assertThat(p.models().maxPast()).isEqualTo(1024);
        assertThat(bind(Map.of("BATON_MODELS_LOAD", "default")).models().defaultOnly()).isTrue();
        assertThat(p.memory().url()).isEqualTo("http://memory:8082");
        assertThat(p.memory().timeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(p.memory().circuitBreaker().openFor()).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.onnx().provider()).isEqualTo("cuda");
        assertThat(p.onnx().deviceId()).isEqualTo(1);
        assertThat(p.onnx().intraOpThreads()).isEqualTo(4);
        assertThat(p.batching().maxBatch()).isEqualTo(32);
        assertThat(p.runner().threads()).isEqualTo(3);
    }

    @Test
    void theCudaConvolutionSearchIsOneOfCuDnnsThree() {
        assertThat(bind(Map.of("BATON_ONNX_CUDACONVALGOSEARCH", "Exhaustive")).onnx().cudaConvAlgoSearch())
                .isEqualTo("exhaustive");
        assertThatThrownBy(() -> bind(Map.of("BATON_ONNX_CUDACONVALGOSEARCH", "fastest")))
                .isInstanceOf(BindException.class)
                .rootCause().hasMessageContaining("baton.onnx.cuda-conv-algo-search");
    }

    @Test
    void aBlankDefaultModelMeansTheDefault() {
        // application.yaml maps BATON_DEFAULT_MODEL to this property, empty when it is unset.
        assertThat(bind(Map.of("BATON_MODELS_DEFAULTMODEL", "")).models().defaultModel()).isEqualTo("jamba-medium");
        assertThat(bind(Map.of("BATON_MODELS_DEFAULTMODEL", "jamba-tiny")).models().defaultModel()).isEqualTo("jamba-tiny");
        InferenceProperties.Models gpu =
                bind(Map.of("BATON_MODELS_GPUDEFAULT", "jamba-xl", "BATON_MODELS_CPUDEFAULT", "jamba-s")).models();
        assertThat(gpu.gpuDefault()).isEqualTo("jamba-xl");
        assertThat(gpu.defaultModel()).as("no default model set: the CPU default").isEqualTo("jamba-s");
    }

    @Test
    void refusesNonsenseWithTheSettingsName() {
        assertThatThrownBy(() -> bind(Map.of("BATON_BATCHING_MAXBATCH", "0")))
                .isInstanceOf(BindException.class)
                .rootCause().hasMessageContaining("baton.batching.max-batch");
    }

    @Test
    void findsTheZooAboveTheWorkingDirectory(@TempDir Path root) throws Exception {
        Path zoo = Files.createDirectories(root.resolve("models/zoo"));
        Path deep = Files.createDirectories(root.resolve("a/b"));
        assertThat(InferenceProperties.Models.findZoo(deep)).isEqualTo(zoo);
        assertThat(InferenceProperties.Models.findZoo(root)).isEqualTo(zoo);
    }

    static InferenceProperties bind(Map<String, Object> environment) {
        SystemEnvironmentPropertySource source = new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, environment);
        return new Binder(ConfigurationPropertySources.from(source))
                .bindOrCreate("baton", Bindable.of(InferenceProperties.class));
    }
}
