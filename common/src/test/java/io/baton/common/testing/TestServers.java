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
 * which tests needing other missing things, such as the shared data, use too).
 */
public final class TestServers {

    private static String redisUrl;
    private static GenericContainer<?> redis;
    private static String rabbitmqUrl;
    private static GenericContainer<?> rabbitmq;
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
        throw unavailable("REDIS TESTS",
                "Redis integration tests need BATON_TEST_REDIS_URL or Docker for Testcontainers, and neither is available");
    }

    /**
     * A RabbitMQ URL ({@code amqp://user:password@host:port}): {@code BATON_TEST_RABBITMQ_URL}, else a
     * RabbitMQ started by Testcontainers (the official image with its management tools, for
     * {@code rabbitmqctl}), else skipped, or failed under {@code CI=true}.
     */
    public static synchronized String rabbitmqUrl() {
        if (rabbitmqUrl != null) {
            return rabbitmqUrl;
        }
        String configured = System.getenv("BATON_TEST_RABBITMQ_URL");
        if (configured != null && !configured.isBlank()) {
            rabbitmqUrl = configured.trim();
            return rabbitmqUrl;
        }
        if (dockerAvailable()) {
            rabbitmq = new GenericContainer<>(DockerImageName.parse("rabbitmq:3.13-management-alpine"))
                    .withExposedPorts(5672);
            rabbitmq.start();
            rabbitmqUrl = "amqp://guest:guest@" + rabbitmq.getHost() + ":" + rabbitmq.getMappedPort(5672);
            return rabbitmqUrl;
        }
        throw unavailable("RABBITMQ TESTS", "RabbitMQ integration tests need BATON_TEST_RABBITMQ_URL or Docker for "
                + "Testcontainers, and neither is available");
    }

    /**
     * What a test needs is missing: under {@code CI=true} this fails the test; otherwise it skips
     * it, with one loud line on stderr per {@code kind} (e.g. {@code REDIS TESTS}). Use as
     * {@code throw TestServers.unavailable(...)}; it never returns normally.
     */
    public static synchronized RuntimeException unavailable(String kind, String why) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(why + " (CI=true, so this is a failure, not a skip)");
        }
        if (announced.add(kind)) {
            System.err.println("!!! SKIPPING " + kind + ": " + why + " !!!");
        }
        return Assumptions.abort(why);
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
