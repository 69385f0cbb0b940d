package io.baton.inference.segments;

import java.util.regex.Pattern;

/**
 * Whether a run failed because its device is lost: a sticky CUDA error (an illegal address, a launch failure, an
 * uncorrectable ECC error, ...) leaves the process's CUDA context unusable, so every later run and copy on it fails
 * the same way until the process ends. ONNX Runtime reports one as {@code CUDA failure 700: an illegal memory access
 * was encountered ...}; the resident runner's own copies as {@code cudaMemcpy: an illegal memory access was
 * encountered}: the CUDA runtime's own texts, matched here anywhere in the cause chain.
 */
final class DeviceFaults {

    private static final Pattern STICKY = Pattern.compile("CUDA failure (214|700|714|715|716|717|718|719)\\b"
            + "|an illegal memory access was encountered|unspecified launch failure|misaligned address"
            + "|an illegal instruction was encountered|hardware stack error|invalid program counter"
            + "|uncorrectable ECC error encountered");

    private DeviceFaults() {
    }

    static boolean lost(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t.getMessage() != null && STICKY.matcher(t.getMessage()).find()) {
                return true;
            }
        }
        return false;
    }
}
