package io.baton.inference.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import io.baton.inference.InferenceProperties;
import io.baton.inference.InvalidConfigurationException;
import io.baton.inference.models.SegmentModel;
import io.baton.inference.models.SegmentOutput;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Session options come from configuration; a wrong setting fails at start-up with a clear message. */
class SessionOptionsFactoryTest {

    static final Path GEMMA2 = Path.of(System.getProperty("baton.zoo.dir", "../models/zoo"), "gemma2-tiny");
    static final long[] TOKENS = {67, 97, 108, 108, 32, 109, 101, 32, 73, 115, 104, 109, 97, 101, 108, 46};

    @ParameterizedTest
    @ValueSource(strings = {"all", "extended", "basic", "none"})
    void everyOptimisationLevelRunsAModelToTheSameResult(String level) throws Exception {
        SegmentOutput reference = runWith(onnx("cpu", "all", 0, true));
        SegmentOutput out = runWith(onnx("cpu", level, 1, false));
        assertThat(out.logits().maxAbsDifference(reference.logits())).isLessThanOrEqualTo(1e-5);
    }

    @Test
    void withoutSpinningAModelRunsToTheSameResult() {
        SegmentOutput reference = runWith(onnx("cpu", "all", 2, true));
        SegmentOutput quiet = runWith(new InferenceProperties.Onnx("cpu", 0, 2, 2, "all", true, false, false, "exhaustive"));
        assertThat(quiet.logits().maxAbsDifference(reference.logits())).isLessThanOrEqualTo(1e-5);
    }

    @Test
    void refusesAnUnknownProviderNamingTheKnownOnes() {
        assertThatThrownBy(() -> new SessionOptionsFactory(onnx("tpu", "all", 0, true), ExecutionProviders.standard()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("'tpu'").hasMessageContaining("cpu, cuda")
                .hasMessageContaining("BATON_ONNX_PROVIDER");
    }

    @Test
    void refusesAnUnknownOptimisationLevel() {
        assertThatThrownBy(() -> new SessionOptionsFactory(onnx("cpu", "max", 0, true), ExecutionProviders.standard()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("'max'").hasMessageContaining("all, extended, basic, none");
    }

    @Test
    void cudaWorksWhereOnnxRuntimeHasItAndFailsClearlyWhereNot() {
        SessionOptionsFactory factory = new SessionOptionsFactory(onnx("cuda", "all", 0, true), ExecutionProviders.standard());
        OrtEnvironment env = OnnxEnvironment.get();
        if (OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            // -Pgpu on a CUDA machine: the provider registers.
            try (OrtSession.SessionOptions options = factory.create()) {
                assertThat(options).isNotNull();
            }
        } else {
            assertThat(env).isNotNull();
            assertThatThrownBy(factory::create)
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("cuda (device 0)")
                    .hasMessageContaining("onnxruntime_gpu");
        }
    }

    @Test
    void cudaComputesInPlainFp32UnlessTf32IsAskedFor() {
        assertThat(ExecutionProvider.CUDA.describe(onnx("cuda", "all", 0, true)))
                .isEqualTo("cuda (device 0), TF32 off, cuDNN convolution search exhaustive");
        assertThat(ExecutionProvider.CUDA.describe(new InferenceProperties.Onnx("cuda", 1, 0, 0, "all", true, true, true, "heuristic")))
                .isEqualTo("cuda (device 1), TF32 on, cuDNN convolution search heuristic");
    }

    static SegmentOutput runWith(InferenceProperties.Onnx onnx) {
        SessionOptionsFactory factory = new SessionOptionsFactory(onnx, ExecutionProviders.standard());
        try (OrtSession.SessionOptions options = factory.create();
             SegmentModel model = SegmentModel.load(GEMMA2, options)) {
            return model.run(TOKENS, model.initialState(1));
        }
    }

    static InferenceProperties.Onnx onnx(String provider, String optimization, int threads, boolean arena) {
        return new InferenceProperties.Onnx(provider, 0, threads, threads, optimization, arena, false, true, "exhaustive");
    }
}
