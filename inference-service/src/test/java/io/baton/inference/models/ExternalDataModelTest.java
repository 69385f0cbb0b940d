package io.baton.inference.models;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model whose weights lie in ONNX external data parts beside {@code model.onnx} (how a model
 * over 20 MB is exported: {@code models/export.py}'s {@code save_graph}; the fixture is a seeded
 * gemma2 folder split into 96 KiB parts by {@code models.contract_fixtures}) loads, reproduces its
 * goldens, and has a digest that covers every part.
 */
class ExternalDataModelTest {

    static final Path FIXTURE = Path.of("src/test/resources/external-data");

    @Test
    void aModelInPartsReproducesItsGoldens() throws IOException, OrtException {
        assertThat(parts(FIXTURE)).hasSizeGreaterThan(1);
        ZooGoldenTest.checkGolden(FIXTURE, "segments-64");
        ZooGoldenTest.checkGolden(FIXTURE, "segments-ragged");
    }

    @Test
    void theDigestCoversModelAndPartsInNameOrder(@TempDir Path tmp) throws Exception {
        Path copy = Files.createDirectories(tmp.resolve("external-data"));
        try (Stream<Path> files = Files.walk(FIXTURE)) {
            for (Path f : files.toList()) {
                Path target = copy.resolve(FIXTURE.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        expected.update(Files.readAllBytes(copy.resolve("model.onnx")));
        for (Path part : parts(copy)) {
            expected.update(Files.readAllBytes(part));
        }
        String digest = load(copy);
        assertThat(digest).isEqualTo(HexFormat.of().formatHex(expected.digest()))
                .isNotEqualTo(sha256(copy.resolve("model.onnx")));

        // One weight byte changed in the last part: another model, another digest (and it still loads).
        Path last = parts(copy).get(parts(copy).size() - 1);
        byte[] bytes = Files.readAllBytes(last);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(last, bytes);
        assertThat(load(copy)).isNotEqualTo(digest);
    }

    @Test
    void aModelWithoutPartsKeepsTheDigestOfItsOneFile() throws Exception {
        Path gemma2Tiny = ZooGoldenTest.zoo().resolve("gemma2-tiny");
        assertThat(parts(gemma2Tiny)).isEmpty();
        assertThat(load(gemma2Tiny)).isEqualTo(sha256(gemma2Tiny.resolve("model.onnx")));
    }

    private static String load(Path folder) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(folder, options)) {
            return model.digest();
        }
    }

    private static List<Path> parts(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().startsWith("model.onnx.data-")).sorted().toList();
        }
    }

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
