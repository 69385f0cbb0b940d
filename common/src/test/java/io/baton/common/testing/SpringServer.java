package io.baton.common.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * A Spring Boot service started in the test's JVM on a random port, with properties on top of
 * its defaults, so tests and benchmarks can run several instances side by side and stop one
 * without disturbing the others (each gets its own Reactor Netty resources). It listens on
 * {@code 127.0.0.1} unless {@code server.address} says otherwise: the memory and inference
 * services run there without a credential (docs/protocol.md, "Service credentials"), and nothing
 * a test starts is reachable from other machines.
 */
public final class SpringServer implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    private final int port;

    private SpringServer(ConfigurableApplicationContext context) {
        this.context = context;
        this.port = Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
    }

    /** Starts {@code application} with {@code properties} (as command-line arguments, so they win). */
    public static SpringServer start(Class<?> application, Map<String, String> properties) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("server.port", "0");
        all.put("server.address", "127.0.0.1");
        all.put("spring.main.banner-mode", "off");
        all.putAll(properties);
        String[] arguments = all.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        return new SpringServer(new SpringApplicationBuilder(application)
                .initializers(context -> context.getBeanFactory().addBeanPostProcessor(new OwnNettyResources()))
                .run(arguments));
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

    /** Own Reactor Netty event loops and pools per instance instead of the JVM-wide ones. */
    private static final class OwnNettyResources implements BeanPostProcessor {

        @Override
        public Object postProcessBeforeInitialization(Object bean, String name) {
            if (bean instanceof ReactorResourceFactory factory) {
                factory.setUseGlobalResources(false);
            }
            return bean;
        }
    }
}
