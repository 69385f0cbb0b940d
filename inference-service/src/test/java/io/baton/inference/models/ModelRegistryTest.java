package io.baton.inference.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.inference.InferenceProperties;
import io.baton.inference.InvalidConfigurationException;
import io.baton.inference.runtime.ExecutionProviders;
import io.baton.inference.runtime.SessionOptionsFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry loads every model folder, finds models by id, and refuses a bad set-up at start. */
class ModelRegistryTest {

    static final SessionOptionsFactory SESSIONS = new SessionOptionsFactory(
            new InferenceProperties.Onnx("cpu", 0, 0, 0, "all", true, false, true, "exhaustive"), ExecutionProviders.standard());

    @Test
    void loadsModelsBuiltHereAndHubExportsSideBySide(@TempDir Path dir) throws IOException {
        link(dir, ZooGoldenTest.zoo().resolve("gemma2-tiny"), "gemma2-tiny");
        link(dir, ZooGoldenTest.zoo().resolve("jamba-tiny"), "jamba-tiny");
        link(dir, Path.of("src/test/resources/hub-style"), "hub-style");
        Files.createDirectories(dir.resolve("not-a-model"));
        try (ModelRegistry registry = new ModelRegistry(models(dir, "jamba-tiny", 64), SESSIONS)) {
            assertThat(registry.all()).extracting(SegmentModel::id)
                    .containsExactly("gemma2-tiny", "hub-style", "jamba-tiny");
            assertThat(registry.defaultModel().id()).isEqualTo("jamba-tiny");
            SegmentModel hub = registry.get("hub-style");
            assertThat(hub.plan().pastGrows()).isTrue();
            assertThat(hub.plan().state().get(3).retention().window()).as("global layer capped by max-past").isEqualTo(64);
            assertThat(registry.get("gemma2-tiny").plan().pastGrows()).isFalse();
        }
    }

    @Test
    void anUnknownModelIsA404NamingTheLoadedOnes() {
        try (ModelRegistry registry = new ModelRegistry(models(ZooGoldenTest.zoo(), "", 4096), SESSIONS)) {
            assertThat(registry.defaultModel().id()).isEqualTo("jamba-medium");
            assertThatThrownBy(() -> registry.get("gpt-5"))
                    .isInstanceOfSatisfying(UnknownModelException.class, e -> {
                        assertThat(e.status()).isEqualTo(404);
                        assertThat(e.type().slug()).isEqualTo("unknown-model");
                    })
                    .hasMessageContaining("'gpt-5'")
                    .hasMessageContaining("gemma2-small, gemma2-tiny, jamba-large, jamba-medium, jamba-small, jamba-tiny");
        }
    }

    @Test
    void closingClosesEverySession() {
        ModelRegistry registry = new ModelRegistry(models(ZooGoldenTest.zoo(), "", 4096), SESSIONS);
        SegmentModel model = registry.get("gemma2-tiny");
        registry.close();
        assertThatThrownBy(() -> model.run(new long[] {65}, model.initialState(1)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void refusesToStartWithoutItsDefaultModel() {
        assertThatThrownBy(() -> new ModelRegistry(models(ZooGoldenTest.zoo(), "llama-70b", 4096), SESSIONS))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("'llama-70b'").hasMessageContaining("BATON_DEFAULT_MODEL")
                .hasMessageContaining("gemma2-tiny");
    }

    @Test
    void refusesToStartWithoutModels(@TempDir Path dir) {
        assertThatThrownBy(() -> new ModelRegistry(models(dir, "", 4096), SESSIONS))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("has no model folder").hasMessageContaining("BATON_MODELS_DIR");
        assertThatThrownBy(() -> new ModelRegistry(models(dir.resolve("missing"), "", 4096), SESSIONS))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("is not a directory");
    }

    @Test
    void refusesToStartWithAModelThatBreaksTheContract(@TempDir Path dir) throws IOException {
        link(dir, ZooGoldenTest.zoo().resolve("gemma2-tiny"), "gemma2-tiny");
        link(dir, Path.of("src/test/resources/contract/past-without-present"), "broken");
        assertThatThrownBy(() -> new ModelRegistry(models(dir, "", 4096), SESSIONS))
                .isInstanceOf(ModelContractException.class)
                .hasMessageContaining("model broken");
    }

    @Test
    void loadDefaultOpensTheDefaultModelAlone(@TempDir Path dir) throws IOException {
        link(dir, ZooGoldenTest.zoo().resolve("gemma2-tiny"), "gemma2-tiny");
        link(dir, ZooGoldenTest.zoo().resolve("jamba-tiny"), "jamba-tiny");
        link(dir, Path.of("src/test/resources/contract/past-without-present"), "broken");   // never opened
        try (ModelRegistry registry = new ModelRegistry(
                new InferenceProperties.Models(dir, "jamba-tiny", null, null, 4096, "default"), SESSIONS)) {
            assertThat(registry.all()).extracting(SegmentModel::id).containsExactly("jamba-tiny");
            assertThat(registry.defaultModel().id()).isEqualTo("jamba-tiny");
        }
        assertThatThrownBy(() -> new ModelRegistry(
                new InferenceProperties.Models(dir, "jamba-huge", null, null, 4096, "default"), SESSIONS))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("the default model 'jamba-huge'").hasMessageContaining("broken, gemma2-tiny, jamba-tiny");
        assertThatThrownBy(() -> new InferenceProperties.Models(dir, "jamba-tiny", null, null, 4096, "some"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("baton.models.load must be all or default");
    }

    static InferenceProperties.Models models(Path dir, String defaultModel, int maxPast) {
        return new InferenceProperties.Models(dir, defaultModel, null, null, maxPast);
    }

    static void link(Path dir, Path target, String name) throws IOException {
        Files.createSymbolicLink(dir.resolve(name), target.toAbsolutePath());
    }
}
