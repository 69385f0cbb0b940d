package io.baton.onnx.ffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The slot order of {@link OrtApiSlot} against the running library: calls whose results can be checked, at slots
 * from 0 (CreateStatus) to 208 (ReleaseCUDAProviderOptions). A wrong offset calls another function, which fails,
 * crashes or returns something else.
 */
class OrtApiSlotTest {

    static final Path ZOO = Path.of(System.getProperty("baton.zoo.dir", "../models/zoo"));

    @Test
    void theListEndsWhereTheHeaderSaysAndTheVersionIsOnnxRuntimeJavas() {
        assertThat(OrtApiSlot.CreateStatus.offset()).isZero();
        assertThat(OrtApiSlot.SessionGetInputCount.ordinal()).isEqualTo(30);
        assertThat(OrtApiSlot.ReleaseEnv.ordinal()).isEqualTo(92);
        assertThat(OrtApiSlot.RunWithBinding.ordinal()).isEqualTo(133);
        assertThat(OrtApiSlot.ReleaseCUDAProviderOptions.ordinal()).isEqualTo(208);
        assertThat(OrtRuntime.get().version()).isEqualTo(OrtEnvironment.getEnvironment().getVersion());
    }

    @Test
    void aStatusMadeByOnnxRuntimeComesBackAsItsCodeAndMessage() {
        assertThatThrownBy(() -> OrtRuntime.get().failWith(2, "round trip through CreateStatus"))
                .isInstanceOfSatisfying(OrtException.class, e -> {
                    assertThat(e.code()).isEqualTo(2);
                    assertThat(e.getMessage()).isEqualTo("round trip through CreateStatus");
                });
    }

    @Test
    void aMissingModelIsOnnxRuntimesNoSuchFileMessage() {
        assertThatThrownBy(() -> Session.open(Path.of("/nonexistent/model.onnx"), SessionConfig.cpu(1)))
                .isInstanceOf(OrtException.class)
                .hasMessageContaining("/nonexistent/model.onnx");
    }

    @Test
    void theCudaProviderFailsWithOnnxRuntimesMessageOnTheCpuBuild() {
        Path model = zooModels().get(0).resolve("model.onnx");
        assertThatThrownBy(() -> Session.open(model, SessionConfig.cuda(0)))
                .isInstanceOf(OrtException.class)
                .hasMessageContaining("CUDA");
    }

    @Test
    void inputAndOutputNamesAreOnnxRuntimeJavasForEveryZooModel() throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (Path dir : zooModels()) {
            Path model = dir.resolve("model.onnx");
            try (Session session = Session.open(model, SessionConfig.cpu(1));
                 OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                 OrtSession reference = env.createSession(model.toString(), options)) {
                assertThat(session.inputNames()).as(dir.toString()).containsExactlyElementsOf(reference.getInputNames());
                assertThat(session.outputNames()).as(dir.toString()).containsExactlyElementsOf(reference.getOutputNames());
            }
        }
    }

    @Test
    void aTensorOverJavaMemoryReportsItsShapeTypeAndAddress() {
        try (Arena arena = Arena.ofConfined(); MemoryInfo cpu = MemoryInfo.cpu()) {
            MemorySegment data = arena.allocate(2 * 3 * 4L, 64);
            try (Tensor tensor = Tensor.over(cpu, data, ElementType.FLOAT, 2, 3)) {
                assertThat(tensor.shape()).containsExactly(2, 3);
                assertThat(tensor.elementType()).isEqualTo(ElementType.FLOAT);
                assertThat(tensor.address()).isEqualTo(data.address());
                assertThat(tensor.isHost()).isTrue();
                assertThat(cpu.name()).isEqualTo("Cpu");
            }
            assertThatThrownBy(() -> Tensor.over(cpu, data, ElementType.INT64, 2, 3))
                    .isInstanceOf(OrtException.class).hasMessageContaining("needs 48 bytes");
        }
    }

    static List<Path> zooModels() {
        try (Stream<Path> dirs = Files.list(ZOO)) {
            List<Path> result = new ArrayList<>(dirs.filter(d -> Files.exists(d.resolve("baton-model.json"))).sorted().toList());
            assertThat(result).isNotEmpty();
            return result;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
