package io.baton.memory;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * The memory service started in this JVM on a random port, with the given {@code baton.*}
 * properties, for integration tests and benchmarks that need several configurations side by side.
 */
public final class MemoryServer implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    private final int port;

    private MemoryServer(ConfigurableApplicationContext context) {
        this.context = context;
        this.port = Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
    }

    /** Starts the service with {@code properties} on top of its defaults, on a random port. */
    public static MemoryServer start(Map<String, String> properties) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("server.port", "0");
        all.put("spring.main.banner-mode", "off");
        all.putAll(properties);
        // as command-line arguments, so they override application.yaml (server.port: 8082)
        String[] arguments = all.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        return new MemoryServer(new SpringApplicationBuilder(MemoryServiceApplication.class)
                .initializers(context -> context.getBeanFactory().addBeanPostProcessor(new OwnNettyResources()))
                .run(arguments));
    }

    /**
     * Gives each server its own Reactor Netty event loops and pools instead of the JVM-wide
     * ones, so closing one server leaves the others (and the tests' clients) running.
     */
    private static final class OwnNettyResources implements BeanPostProcessor {

        @Override
        public Object postProcessBeforeInitialization(Object bean, String name) {
            if (bean instanceof ReactorResourceFactory factory) {
                factory.setUseGlobalResources(false);
            }
            return bean;
        }
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** A bean of the running service. */
    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }
}
