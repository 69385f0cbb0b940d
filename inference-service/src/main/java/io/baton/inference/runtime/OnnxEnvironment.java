package io.baton.inference.runtime;

import ai.onnxruntime.OrtEnvironment;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The process-wide ONNX Runtime environment, created once on a thread with a large stack.
 *
 * <p>ONNX Runtime 1.29.0 overflows a 1 MiB thread stack while it loads and initialises its
 * native library (the JVM dies with SIGSEGV and no error report), and 1 MiB is the default of
 * every Java thread on Linux x64, including {@code main}. Once initialised, loading sessions
 * and running them works on ordinary threads (checked down to 256 KiB). Everything in Baton gets
 * the environment from here, never from {@link OrtEnvironment#getEnvironment()} directly.
 */
public final class OnnxEnvironment {

    /** Stack of the thread that initialises ONNX Runtime; 4 MiB was enough, this leaves room. */
    static final long INIT_STACK_BYTES = 16L << 20;

    private static volatile OrtEnvironment environment;

    private OnnxEnvironment() {
    }

    /** The environment, initialising ONNX Runtime on a large-stack thread the first time. */
    public static OrtEnvironment get() {
        OrtEnvironment env = environment;
        if (env == null) {
            synchronized (OnnxEnvironment.class) {
                env = environment;
                if (env == null) {
                    env = initialise();
                    environment = env;
                }
            }
        }
        return env;
    }

    private static OrtEnvironment initialise() {
        AtomicReference<OrtEnvironment> created = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread init = new Thread(null, () -> {
            try {
                created.set(OrtEnvironment.getEnvironment());
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "onnxruntime-init", INIT_STACK_BYTES);
        init.start();
        try {
            init.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OnnxRuntimeException("interrupted while ONNX Runtime was initialising", e);
        }
        if (failure.get() != null) {
            throw new OnnxRuntimeException("ONNX Runtime could not be initialised: " + failure.get(), failure.get());
        }
        return created.get();
    }
}
