package io.baton.inference.bench;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import io.baton.inference.models.OnnxEnvironment;
import java.util.Arrays;

/** What the benchmarks share: session options like the service's, and medians. */
final class BenchModels {

    private BenchModels() {
    }

    /**
     * CPU session options as the service builds them from {@code baton.onnx} with {@code threads}
     * intra-op threads and one inter-op thread: all graph optimisations, memory arena on.
     */
    static OrtSession.SessionOptions options(int threads) throws OrtException {
        OnnxEnvironment.get();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OptLevel.ALL_OPT);
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        options.setCPUArenaAllocator(true);
        return options;
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
