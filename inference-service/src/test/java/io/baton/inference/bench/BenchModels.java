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
        InferenceProperties.Onnx onnx = new InferenceProperties.Onnx("cpu", 0, threads, 1, "all", true, false, allowSpinning);
        return new SessionOptionsFactory(onnx, ExecutionProviders.standard()).create();
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
