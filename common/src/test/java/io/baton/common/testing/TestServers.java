package io.baton.common.testing;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The real servers integration tests talk to. {@code BATON_TEST_REDIS_URL} when set; otherwise a
 * Redis started by Testcontainers when Docker is available; otherwise the calling test is skipped
 * with one loud line on stderr, except under {@code CI=true}, where it fails ({@link #unavailable},
 * the same rule for anything else a test needs from the machine).
 */
public final class TestServers {

    private static String redisUrl;
    private static GenericContainer<?> redis;
    private static final Set<String> announced = new HashSet<>();

    private TestServers() {
    }

    /** A Redis URL ({@code redis://host:port}). */
    public static synchronized String redisUrl() {
        if (redisUrl != null) {
            return redisUrl;
        }
        String configured = System.getenv("BATON_TEST_REDIS_URL");
        if (configured != null && !configured.isBlank()) {
            redisUrl = configured.trim();
            return redisUrl;
        }
        if (dockerAvailable()) {
            redis = new GenericContainer<>(DockerImageName.parse("redis:7-alpine")).withExposedPorts(6379);
            redis.start();
            redisUrl = "redis://" + redis.getHost() + ":" + redis.getMappedPort(6379);
            return redisUrl;
        }
        unavailable("REDIS",
                "Redis integration tests need BATON_TEST_REDIS_URL or Docker for Testcontainers, and neither is available");
        throw new AssertionError("unreachable");
    }

    /**
     * What a test does when something it needs is not on this machine: under {@code CI=true} it
     * fails; otherwise it is skipped, and the first skip of each {@code what} says so in one loud
     * line on stderr. Never returns normally.
     *
     * @param what the kind of tests skipped, for the line ({@code REDIS}, {@code BROWSER})
     * @param why  what is missing
     */
    public static synchronized void unavailable(String what, String why) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(why + " (CI=true, so this is a failure, not a skip)");
        }
        if (announced.add(what)) {
            System.err.println("!!! SKIPPING " + what + " TESTS: " + why + " !!!");
        }
        Assumptions.abort(why);
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
