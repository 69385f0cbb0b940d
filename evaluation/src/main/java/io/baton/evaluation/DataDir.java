package io.baton.evaluation;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the evaluation data is: the repository's {@code data/} folder ({@code data/README.md}),
 * relative to the working directory, the repository root; the {@code --data} option (or the system
 * property {@code baton.data.dir}) puts it elsewhere. It is read, never written.
 */
public final class DataDir {

    private DataDir() {
    }

    /** {@code baton.data.dir}, or {@code data} from the working directory (the repository root). */
    public static Path dir() {
        return Path.of(System.getProperty("baton.data.dir", "data"));
    }

    /** {@code file} under the data folder, which must exist. */
    public static Path require(Path dir, String file) {
        Path path = dir.resolve(file);
        if (!Files.exists(path)) {
            throw new EvaluationException("data-missing", path.toAbsolutePath().normalize()
                    + " does not exist (the evaluation data is the repository's data/ folder; --data DIR)");
        }
        return path;
    }
}
