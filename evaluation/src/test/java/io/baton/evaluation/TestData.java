package io.baton.evaluation;

import io.baton.common.testing.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shared data the tests read ({@code ../shared/data} next to the repository, system property
 * {@code baton.shared.data}): missing data fails the test under {@code CI=true} and skips it
 * with one loud line otherwise ({@link TestServers#unavailable}).
 */
public final class TestData {

    private TestData() {
    }

    /** {@code relative} under the shared data folder; it must exist. */
    public static Path require(String relative) {
        Path path = SharedData.dir().resolve(relative);
        if (Files.exists(path)) {
            return path;
        }
        throw TestServers.unavailable("TESTS THAT NEED ../shared/data",
                "shared data " + path.toAbsolutePath().normalize() + " is missing");
    }
}
