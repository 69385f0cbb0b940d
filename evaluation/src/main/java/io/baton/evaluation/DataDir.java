package io.baton.evaluation;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the shared data is: {@code ../shared/data} next to the repository (system property
 * {@code baton.shared.data} or the {@code --data} option to put it elsewhere). It is read, never
 * copied into the project.
 */
public final class SharedData {

    private SharedData() {
    }

    /** {@code baton.shared.data}, or {@code ../shared/data} from the working directory (the repository root). */
    public static Path dir() {
        return Path.of(System.getProperty("baton.shared.data", "../shared/data"));
    }

    /** {@code file} under the data folder, which must exist. */
    public static Path require(Path dir, String file) {
        Path path = dir.resolve(file);
        if (!Files.exists(path)) {
            throw new EvaluationException("data-missing", path.toAbsolutePath().normalize()
                    + " does not exist (the shared data lives in ../shared/data next to the repository; --data DIR)");
        }
        return path;
    }
}
