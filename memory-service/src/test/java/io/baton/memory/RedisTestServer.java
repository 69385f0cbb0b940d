package io.baton.memory;

import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The Redis that integration tests run against, as a URL: {@code BATON_TEST_REDIS_URL} when set;
 * else a {@code redis:7-alpine} container started by Testcontainers when Docker is available (one
 * per test JVM, removed by Testcontainers when the JVM exits); else, under {@code CI=true}, a
 * failure; otherwise the calling test class is skipped, with one line on stderr saying why.
 * Call it from {@code @BeforeAll}.
 */
public final class RedisTestServer {

    private static String url;
    private static boolean announced;
    private static GenericContainer<?> container;

    private RedisTestServer() {
    }

    public static synchronized String url() {
        if (url != null) {
            return url;
        }
        String configured = System.getenv("BATON_TEST_REDIS_URL");
        if (configured != null && !configured.isBlank()) {
            url = configured.trim();
            return url;
        }
        if (dockerAvailable()) {
            container = new GenericContainer<>(DockerImageName.parse("redis:7-alpine")).withExposedPorts(6379);
            container.start();
            url = "redis://" + container.getHost() + ":" + container.getMappedPort(6379);
            return url;
        }
        String why = "Redis integration tests need BATON_TEST_REDIS_URL or Docker for Testcontainers, and neither is available";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(why + " (CI=true, so this is a failure, not a skip)");
        }
        if (!announced) {
            announced = true;
            System.err.println("!!! SKIPPING REDIS TESTS: " + why + " !!!");
        }
        Assumptions.abort(why);
        throw new AssertionError("unreachable");
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
