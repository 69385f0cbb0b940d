package io.baton.common.testing;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * The real servers integration tests talk to. {@code BATON_TEST_REDIS_URL} when set; otherwise a
 * Redis started by Testcontainers when Docker is available; otherwise the calling test is skipped
 * with one loud line on stderr, except under {@code CI=true}, where it fails ({@link #unavailable},
 * which tests needing other missing things, such as the shared data, use too).
 *
 * <p>Testcontainers finds Docker as it always does ({@code DOCKER_HOST}; on a machine without a
 * Docker daemon, podman's Docker-compatible socket with {@code TESTCONTAINERS_RYUK_DISABLED=true},
 * see docs/deployment.md#containers-and-compose). The images are settings, so a machine without a
 * registry can give local ones: {@code BATON_TEST_REDIS_IMAGE} (default {@value #REDIS_IMAGE}) and
 * {@code BATON_TEST_RABBITMQ_IMAGE} (default {@value #RABBITMQ_IMAGE}); each is started with its
 * server's own command ({@code redis-server ...}, {@code rabbitmq-server}), which every image of
 * these servers has on its path.
 */
public final class TestServers {

    static final String REDIS_IMAGE = "redis:7-alpine";
    static final String RABBITMQ_IMAGE = "rabbitmq:3.13-management-alpine";

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
            redis = new GenericContainer<>(image("BATON_TEST_REDIS_IMAGE", REDIS_IMAGE))
                    .withCommand("redis-server", "--protected-mode", "no", "--save", "", "--appendonly", "no")
                    .withExposedPorts(6379);
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
     * {@code rabbitmqctl}; a user of its own, allowed beyond loopback), else skipped, or failed
     * under {@code CI=true}.
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
            String password = UUID.randomUUID().toString().replace("-", "");
            rabbitmq = new GenericContainer<>(image("BATON_TEST_RABBITMQ_IMAGE", RABBITMQ_IMAGE))
                    .withCommand("rabbitmq-server")
                    .withEnv("RABBITMQ_DEFAULT_USER", "baton")
                    .withEnv("RABBITMQ_DEFAULT_PASS", password)
                    .withCopyToContainer(Transferable.of("loopback_users = none\n"),
                            "/etc/rabbitmq/conf.d/20-baton-test.conf")
                    .withExposedPorts(5672);
            rabbitmq.start();
            rabbitmqUrl = "amqp://baton:" + password + "@" + rabbitmq.getHost() + ":" + rabbitmq.getMappedPort(5672);
            return rabbitmqUrl;
        }
        throw unavailable("RABBITMQ TESTS", "RabbitMQ integration tests need BATON_TEST_RABBITMQ_URL or Docker for "
                + "Testcontainers, and neither is available");
    }

    /**
     * Runs {@code rabbitmqctl command} where the test RabbitMQ runs: in its container when
     * Testcontainers started it, else on this machine when the URL is a local one (a RabbitMQ of this
     * machine); anything else is {@link #unavailable}. Fails unless it exits 0 within 2 minutes.
     */
    public static void rabbitmqctl(String command) throws IOException, InterruptedException {
        String url = rabbitmqUrl();
        if (rabbitmq != null) {
            ExecResult result = rabbitmq.execInContainer("rabbitmqctl", command);
            if (result.getExitCode() != 0) {
                throw new IllegalStateException("rabbitmqctl " + command + " in the container exited "
                        + result.getExitCode() + ": " + result.getStdout() + result.getStderr());
            }
            return;
        }
        if (!url.contains("@127.0.0.1:") && !url.contains("@localhost:")) {
            throw unavailable("RABBITMQ RESTART", "stopping RabbitMQ needs the local rabbitmqctl or a test container");
        }
        Process process = new ProcessBuilder("rabbitmqctl", command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("rabbitmqctl " + command + " failed: " + output);
        }
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

    private static DockerImageName image(String variable, String fallback) {
        String configured = System.getenv(variable);
        return DockerImageName.parse(configured == null || configured.isBlank() ? fallback : configured.trim());
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
