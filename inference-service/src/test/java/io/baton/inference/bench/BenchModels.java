package io.baton.inference.bench;

import ai.onnxruntime.OrtSession;
import io.baton.inference.InferenceProperties;
import io.baton.inference.runtime.ExecutionProviders;
import io.baton.inference.runtime.SessionOptionsFactory;
import java.util.Arrays;

/** What the benchmarks share: session options like the service's, and medians. */
final class BenchModels {

    private BenchModels() {
    }

    /**
     * CPU session options exactly as the service builds them from its default {@code baton.onnx}
     * with {@code threads} intra-op threads and one inter-op thread (all graph optimisations,
     * memory arena on, spinning off), made by the service's own {@link SessionOptionsFactory}.
     */
    static OrtSession.SessionOptions options(int threads) {
        return options(threads, false);
    }

    /** The same with ONNX Runtime's idle worker threads spinning ({@code allowSpinning}, ONNX Runtime's own default) or not. */
    static OrtSession.SessionOptions options(int threads, boolean allowSpinning) {
        return options(threads, allowSpinning, "cpu");
    }

    /**
     * The same on execution provider {@code provider} ({@code cpu}, or {@code cuda} on device 0
     * with TF32 off, as the service adds it).
     */
    static OrtSession.SessionOptions options(int threads, boolean allowSpinning, String provider) {
        InferenceProperties.Onnx onnx = new InferenceProperties.Onnx(provider, 0, threads, 1, "all", true, false, allowSpinning,
                convolutionSearch());
        return new SessionOptionsFactory(onnx, ExecutionProviders.standard()).create();
    }

    /**
     * How the CUDA provider picks cuDNN convolution algorithms in a benchmark: system property
     * {@code baton.bench.cuda-conv-algo-search}, default {@code heuristic} (the service's default).
     */
    static String convolutionSearch() {
        return System.getProperty("baton.bench.cuda-conv-algo-search", "heuristic");
    }

    /** The execution provider a benchmark runs on: system property {@code baton.bench.provider}, default {@code cpu}. */
    static String provider() {
        return System.getProperty("baton.bench.provider", "cpu");
    }

    /** CPU time {@code process} has used so far (all its threads), in ns. */
    static long cpuNanos(ProcessHandle process) {
        return process.info().totalCpuDuration().orElseThrow(
                () -> new IllegalStateException("no CPU time for process " + process.pid())).toNanos();
    }

    /** CPU time this JVM has used so far, in ns. */
    static long ownCpuNanos() {
        return cpuNanos(ProcessHandle.current());
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
