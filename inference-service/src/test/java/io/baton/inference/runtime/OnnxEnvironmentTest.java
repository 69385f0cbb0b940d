package io.baton.inference.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtSession;
import io.baton.inference.models.DocumentState;
import io.baton.inference.models.SegmentModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * ONNX Runtime can be first used from an ordinary thread. Checked in a fresh JVM, because the
 * native library initialises only once per process: the probe starts ONNX Runtime from a thread
 * with a 1 MiB stack (the JVM default, where a direct {@code OrtEnvironment.getEnvironment()}
 * kills the process with SIGSEGV), then loads and runs a zoo model on a 256 KiB stack.
 */
class OnnxEnvironmentTest {

    @Test
    void firstUseFromAThreadWithTheDefaultStackSize() throws IOException, InterruptedException {
        Path model = Path.of(System.getProperty("baton.zoo.dir", "../models/zoo")).resolve("gemma2-tiny").toAbsolutePath();
        Process probe = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                Probe.class.getName(), model.toString()))
                .redirectErrorStream(true).start();
        boolean exited = probe.waitFor(120, TimeUnit.SECONDS);
        String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!exited) {
            probe.destroyForcibly();
        }
        assertThat(exited).as("probe finished").isTrue();
        assertThat(probe.exitValue()).as("probe exit status; output:%n%s", output).isZero();
        assertThat(output).contains("ran 2 segments");
    }

    /** Runs in the fresh JVM. */
    public static final class Probe {
        public static void main(String[] args) throws InterruptedException {
            Thread init = new Thread(null, OnnxEnvironment::get, "probe-init", 1L << 20);
            init.start();
            init.join();
            Thread work = new Thread(null, () -> run(Path.of(args[0])), "probe-run", 256L << 10);
            work.start();
            work.join();
        }

        static void run(Path model) {
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                 SegmentModel segments = SegmentModel.load(model, options)) {
                DocumentState state = segments.initialState(1);
                for (int i = 0; i < 2; i++) {
                    state = segments.run(new long[] {72, 101, 108, 108, 111}, state).next();
                }
                System.out.println("ran 2 segments, " + state.tokens() + " tokens");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
