package io.baton.inference.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import io.baton.inference.InferenceProperties;
import io.baton.inference.InvalidConfigurationException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds ONNX Runtime session options from {@code baton.onnx}: threads, graph optimisation level,
 * CPU memory arena and execution provider. The settings are checked, and logged once, when the
 * factory is made, so a wrong setting stops the service at start-up.
 */
public final class SessionOptionsFactory {

    private static final Logger log = LoggerFactory.getLogger(SessionOptionsFactory.class);

    private static final Map<String, OptLevel> OPTIMIZATION = Map.of(
            "all", OptLevel.ALL_OPT, "extended", OptLevel.EXTENDED_OPT,
            "basic", OptLevel.BASIC_OPT, "none", OptLevel.NO_OPT);

    private final InferenceProperties.Onnx onnx;
    private final ExecutionProvider provider;
    private final OptLevel optimization;

    public SessionOptionsFactory(InferenceProperties.Onnx onnx, ExecutionProviders providers) {
        this.onnx = onnx;
        this.provider = providers.get(onnx.provider());
        this.optimization = OPTIMIZATION.get(onnx.optimization());
        if (optimization == null) {
            throw new InvalidConfigurationException("baton.onnx.optimization (BATON_ONNX_OPTIMIZATION) is '"
                    + onnx.optimization() + "'; use one of all, extended, basic, none");
        }
        log.info("ONNX Runtime: execution provider {}, graph optimisation {}, intra-op threads {}, "
                        + "inter-op threads {}, CPU memory arena {}, spinning {}", provider.describe(onnx),
                onnx.optimization(), threads(onnx.intraOpThreads()), threads(onnx.interOpThreads()),
                onnx.memoryArena() ? "on" : "off", onnx.allowSpinning() ? "on" : "off");
    }

    public ExecutionProvider provider() {
        return provider;
    }

    /**
     * New session options as configured; the caller closes them after the sessions made with
     * them. Fails with a clear message when the provider cannot be registered (CUDA with the
     * CPU-only artifact, no GPU, a missing CUDA library).
     */
    public OrtSession.SessionOptions create() {
        OnnxEnvironment.get();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setOptimizationLevel(optimization);
            options.setIntraOpNumThreads(onnx.intraOpThreads());
            options.setInterOpNumThreads(onnx.interOpThreads());
            options.setCPUArenaAllocator(onnx.memoryArena());
            String spin = onnx.allowSpinning() ? "1" : "0";
            options.addConfigEntry("session.intra_op.allow_spinning", spin);
            options.addConfigEntry("session.inter_op.allow_spinning", spin);
        } catch (OrtException e) {
            options.close();
            throw new InvalidConfigurationException("ONNX Runtime refused the session options " + onnx + ": "
                    + e.getMessage(), e);
        }
        try {
            provider.addTo(options, onnx);
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw new InvalidConfigurationException("execution provider " + provider.describe(onnx)
                    + " could not be registered: " + e.getMessage()
                    + (provider == ExecutionProvider.CUDA
                    ? " (CUDA needs the onnxruntime_gpu artifact, built with ./mvnw -Pgpu, and CUDA 12 with cuDNN 9)"
                    : ""), e);
        }
        return options;
    }

    private static String threads(int configured) {
        return configured == 0 ? "ONNX Runtime's default" : Integer.toString(configured);
    }
}
