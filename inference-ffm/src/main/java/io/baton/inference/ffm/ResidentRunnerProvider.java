package io.baton.inference.ffm;

import io.baton.inference.models.SegmentModel;
import io.baton.inference.models.SegmentRunner;
import io.baton.onnx.ffm.ModelPlan;
import io.baton.onnx.ffm.OrtRuntime;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Offers {@link ResidentRunner} to the inference service ({@code META-INF/services}). It refuses, with the
 * reason the service logs, what {@code ResidentStates} cannot hold or what would run differently from the
 * service's own session: a model without {@code baton-model.json} or with a past that grows, a provider other
 * than {@code cpu} and {@code cuda}, a CUDA device other than 0 (the device copies do not select a device yet),
 * TF32 or a cuDNN search other than {@code heuristic} (the runner's session sets TF32 off and heuristic search).
 */
public final class ResidentRunnerProvider implements SegmentRunner.Provider {

    @Override
    public String refusal(SegmentModel model, SegmentRunner.Settings settings) {
        Path planFile = model.folder().resolve("baton-model.json");
        if (!Files.isRegularFile(planFile)) {
            return "it has no baton-model.json (a hub export's plan is derived from the graph; resident states "
                    + "need a plan built here)";
        }
        if (model.plan().pastGrows()) {
            return "its past grows (resident states hold fixed-size states)";
        }
        switch (settings.provider()) {
            case "cpu" -> { }
            case "cuda" -> {
                if (settings.deviceId() != 0) {
                    return "resident states on CUDA run on device 0 only (baton.onnx.device-id is " + settings.deviceId() + ")";
                }
                if (settings.cudaTf32() || !settings.cudaConvAlgoSearch().equals("heuristic")) {
                    return "the resident runner's CUDA session has TF32 off and the heuristic cuDNN search "
                            + "(baton.onnx.cuda-tf32, baton.onnx.cuda-conv-algo-search)";
                }
            }
            default -> {
                return "resident states run on the cpu and cuda providers, not " + settings.provider();
            }
        }
        try {
            ModelPlan.read(planFile);
            OrtRuntime.get();
        } catch (RuntimeException | LinkageError e) {
            return e.toString();
        }
        return null;
    }

    @Override
    public SegmentRunner open(SegmentModel model, SegmentRunner.Settings settings) {
        return ResidentRunner.open(model, settings);
    }
}
