package io.baton.gateway.segmenting;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.common.testing.DataFiles;
import io.baton.gateway.GatewayProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import tools.jackson.databind.json.JsonMapper;

/** Where the tests' real inputs are: the model zoo (set by Surefire) and the repository's data ({@link DataFiles}). */
final class TestData {

    private TestData() {
    }

    /** {@code models/zoo}. */
    static Path zoo() {
        Path zoo = Path.of(System.getProperty("baton.zoo.dir", "../models/zoo"));
        assertTrue(Files.isDirectory(zoo), "the model zoo is missing: " + zoo.toAbsolutePath());
        return zoo;
    }

    /** Every zoo model folder that has a tokenizer. */
    static List<Path> zooModels() {
        try (Stream<Path> folders = Files.list(zoo())) {
            List<Path> models = folders.filter(f -> Files.isRegularFile(f.resolve(TextTokenizer.FILE_NAME))).sorted().toList();
            assertTrue(models.size() >= 9, "expected the 7 tiny and 2 trained zoo models, found " + models);
            return models;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The random-initialised zoo models, whose tokenizer is byte-level (id = byte value). */
    static List<Path> byteLevelZooModels() {
        return zooModels().stream().filter(f -> f.getFileName().toString().endsWith("-tiny")).toList();
    }

    /** The model folder the tests tokenise with. */
    static Path gemma2() {
        return zoo().resolve("gemma2-tiny");
    }

    /** The trained default model's folder: a byte-level BPE tokenizer of the GPT-2 kind. */
    static Path trainedDefault() {
        return zoo().resolve(GatewayProperties.Models.DEFAULT_MODEL);
    }

    /** The first {@code count} SQuALITY dev stories (the {@code document} of each line), as written. */
    static List<String> squalityStories(int count) {
        Path file = DataFiles.path("eval/squality/squality_dev_plot.jsonl");
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            JsonMapper json = JsonMapper.builder().build();
            return lines.limit(count).map(line -> json.readTree(line).get("document").asString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The UTF-8 bytes of a text as unsigned token ids: what a byte-level tokenizer must give. */
    static long[] utf8Ids(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        long[] ids = new long[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = bytes[i] & 0xFF;
        }
        return ids;
    }
}
