package io.baton.evaluation.runner;

import io.baton.standalone.BatonStandalone;
import java.nio.file.Path;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The standalone application (gateway, inference and memory code in this JVM, in-memory state
 * store) on a free loopback port, so the runner calls the same HTTP API a user would without a
 * separate deployment.
 */
public final class InProcessGateway implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private InProcessGateway(ConfigurableApplicationContext context) {
        this.context = context;
    }

    /** Starts it with the model folders of {@code modelsDir}. */
    public static InProcessGateway start(Path modelsDir) {
        return new InProcessGateway(BatonStandalone.application().run("--server.port=0",
                "--server.address=127.0.0.1", "--spring.main.banner-mode=off",
                "--baton.models.dir=" + modelsDir.toAbsolutePath(),
                "--logging.level.root=WARN", "--logging.level.ai.djl=ERROR"));
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + context.getEnvironment().getRequiredProperty("local.server.port");
    }

    /** A bean of the running application (the summary service, for {@link SelectorFeatures}). */
    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }
}
