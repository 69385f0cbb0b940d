package io.baton.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code ./baton} launcher at the repository root, run as a user runs it: from a folder (the
 * test's own), with no {@code BATON_*} or {@code SERVER_*} variables, stdout and stderr kept apart.
 * Each run has a bounded deadline; nothing asserts how long it took.
 */
final class Launcher {

    static final Duration RUN_DEADLINE = Duration.ofMinutes(5);

    private Launcher() {
    }

    /**
     * A finished run: its exit status, stdout and stderr.
     */
    record Run(int exit, String stdout, String stderr) {
    }

    /** An action on the running process, before it is waited for. */
    @FunctionalInterface
    interface WhileRunning {
        void accept(Process process) throws Exception;
    }

    /** Runs {@code ./baton args...} in {@code folder} until it exits. */
    static Run run(Path folder, String... args) throws Exception {
        return run(folder, process -> { }, args);
    }

    /** Runs {@code ./baton args...} in {@code folder}, does {@code whileRunning}, then waits for the exit. */
    static Run run(Path folder, WhileRunning whileRunning, String... args) throws Exception {
        Path root = Path.of(System.getProperty("baton.root", "..")).toAbsolutePath().normalize();
        Path script = root.resolve("baton");
        assertThat(Files.isExecutable(script)).as(script + " is executable").isTrue();
        List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(args));
        Path stdout = Files.createTempFile(folder, "stdout", ".txt");
        Path stderr = Files.createTempFile(folder, "stderr", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(folder.toFile())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("BATON_") || name.startsWith("SERVER_"));
        Process process = builder.start();
        try {
            whileRunning.accept(process);
            if (!process.waitFor(RUN_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                fail("./baton " + String.join(" ", args) + " did not exit within " + RUN_DEADLINE
                        + "; its stderr:\n" + read(stderr));
            }
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
        return new Run(process.exitValue(), read(stdout), read(stderr));
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
