package io.baton.evaluation;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The shared data the tests read ({@code ../shared/data} next to the repository, system property
 * {@code baton.shared.data}): missing data fails the test under {@code CI=true} and skips it
 * with one loud line otherwise.
 */
public final class TestData {

    private static boolean announced;

    private TestData() {
    }

    /** {@code relative} under the shared data folder; it must exist. */
    public static synchronized Path require(String relative) {
        Path path = SharedData.dir().resolve(relative);
        if (Files.exists(path)) {
            return path;
        }
        String why = "shared data " + path.toAbsolutePath().normalize() + " is missing";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(why + " (CI=true, so this is a failure, not a skip)");
        }
        if (!announced) {
            announced = true;
            System.err.println("!!! SKIPPING TESTS THAT NEED ../shared/data: " + why + " !!!");
        }
        Assumptions.abort(why);
        throw new AssertionError("unreachable");
    }
}
