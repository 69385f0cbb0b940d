package io.baton.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The data tests read: the repository's {@code data/} folder ({@code data/README.md} says what each
 * file is, where it came from and its licence). It is found from the working directory upwards (a
 * module's folder under Maven, the repository root in an IDE), or named by the system property
 * {@code baton.data.dir}. The data is committed, so a missing file is a failure, never a skip.
 */
public final class DataFiles {

    /** What marks the folder: its README. */
    private static final String MARKER = "data/README.md";

    private static Path dir;
    private static String mobyDick;

    private DataFiles() {
    }

    /** The repository's {@code data/} folder. */
    public static synchronized Path dir() {
        if (dir == null) {
            dir = locate();
        }
        return dir;
    }

    /** The file at {@code relative} under {@code data/}; it must exist. */
    public static Path path(String relative) {
        Path file = dir().resolve(relative);
        if (!Files.exists(file)) {
            throw new IllegalStateException("the test data " + file.toAbsolutePath().normalize()
                    + " is missing from the repository (see data/README.md)");
        }
        return file;
    }

    /** The file at {@code relative} under {@code data/}, as UTF-8 text. */
    public static String read(String relative) {
        try {
            return Files.readString(path(relative), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Moby Dick, the whole book (1.19 million characters; read once per JVM). */
    public static synchronized String mobyDick() {
        if (mobyDick == null) {
            mobyDick = read("corpus/moby-dick/moby-dick.txt");
        }
        return mobyDick;
    }

    private static Path locate() {
        String configured = System.getProperty("baton.data.dir");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path start = Path.of("").toAbsolutePath();
        for (Path at = start; at != null; at = at.getParent()) {
            if (Files.isRegularFile(at.resolve(MARKER))) {
                return at.resolve("data");
            }
        }
        throw new IllegalStateException("no data/ folder of the repository above " + start
                + " (run the tests from the repository or set -Dbaton.data.dir)");
    }
}
