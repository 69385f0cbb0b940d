package io.baton.inference.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import io.baton.inference.InferenceProperties;
import java.util.Locale;

/** One ONNX Runtime execution provider, as {@code baton.onnx.provider} names it. */
public interface ExecutionProvider {

    /** The name in configuration, lower case. */
    String name();

    /** Registers the provider on session options (the CPU provider is always there, last). */
    void addTo(OrtSession.SessionOptions options, InferenceProperties.Onnx onnx) throws OrtException;

    /** How the start-up log line describes the choice, e.g. {@code cuda (device 0)}. */
    default String describe(InferenceProperties.Onnx onnx) {
        return name();
    }

    /** ONNX Runtime's own CPU kernels: nothing to add. */
    ExecutionProvider CPU = new ExecutionProvider() {
        @Override
        public String name() {
            return "cpu";
        }

        @Override
        public void addTo(OrtSession.SessionOptions options, InferenceProperties.Onnx onnx) {
            // The CPU provider is always registered by ONNX Runtime.
        }
    };

    /**
     * NVIDIA CUDA on {@code baton.onnx.device-id}, TF32 only when {@code baton.onnx.cuda-tf32} is
     * set; needs the {@code onnxruntime_gpu} artifact (Maven profile {@code gpu}). ONNX Runtime
     * copies the provider options when they are added, so they are closed at once.
     */
    ExecutionProvider CUDA = new ExecutionProvider() {
        @Override
        public String name() {
            return "cuda";
        }

        @Override
        public void addTo(OrtSession.SessionOptions options, InferenceProperties.Onnx onnx) throws OrtException {
            try (OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions(onnx.deviceId())) {
                cuda.add("use_tf32", onnx.cudaTf32() ? "1" : "0");
                cuda.add("cudnn_conv_algo_search", onnx.cudaConvAlgoSearch().toUpperCase(Locale.ROOT));
                options.addCUDA(cuda);
            }
        }

        @Override
        public String describe(InferenceProperties.Onnx onnx) {
            return "cuda (device " + onnx.deviceId() + "), TF32 " + (onnx.cudaTf32() ? "on" : "off")
                    + ", cuDNN convolution search " + onnx.cudaConvAlgoSearch();
        }
    };
}
