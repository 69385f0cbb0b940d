package io.baton.onnx.ffm;

/**
 * How a {@link Session} runs.
 *
 * @param intraOpThreads threads inside one operator (0 = ONNX Runtime's default: one per core)
 * @param cudaDevice     the CUDA device to run on, or -1 for the CPU provider alone
 * @param allowSpinning  whether the intra-op threads spin while they wait for work (ONNX Runtime's default);
 *                       a service turns it off: spinning threads take the cores its other work needs
 * @param cudaGraphs     whether the CUDA provider may capture runs as CUDA graphs and replay them
 *                       ({@code enable_cuda_graph=1}): a run then names its graph ({@link RunOptions}), and every run
 *                       of one graph binds the same device buffers, of the same shapes ({@link ResidentStates}'s
 *                       fixed-shape frames); false without CUDA
 */
public record SessionConfig(int intraOpThreads, int cudaDevice, boolean allowSpinning, boolean cudaGraphs) {

    /** Threads spinning as ONNX Runtime's default has it. */
    public SessionConfig(int intraOpThreads, int cudaDevice) {
        this(intraOpThreads, cudaDevice, true);
    }

    /** Without CUDA graphs. */
    public SessionConfig(int intraOpThreads, int cudaDevice, boolean allowSpinning) {
        this(intraOpThreads, cudaDevice, allowSpinning, false);
    }

    public SessionConfig {
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intraOpThreads must be >= 0, was " + intraOpThreads);
        }
        if (cudaDevice < -1) {
            throw new IllegalArgumentException("cudaDevice must be -1 (CPU) or a device id, was " + cudaDevice);
        }
        if (cudaGraphs && cudaDevice < 0) {
            throw new IllegalArgumentException("CUDA graphs need a CUDA device");
        }
    }

    public static SessionConfig cpu(int intraOpThreads) {
        return new SessionConfig(intraOpThreads, -1);
    }

    public static SessionConfig cuda(int deviceId) {
        return new SessionConfig(0, deviceId);
    }

    public boolean usesCuda() {
        return cudaDevice >= 0;
    }
}
