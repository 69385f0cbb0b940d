package io.baton.inference.testing;

import io.baton.inference.InferenceServiceApplication;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * An inference-service instance started in this JVM on a random port, so tests can run several
 * side by side, stop one and start another (state lives only in the memory service).
 */
public final class InferenceServer implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    private final int port;

    private InferenceServer(ConfigurableApplicationContext context) {
        this.context = context;
        this.port = Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
    }

    /** Starts an instance with {@code properties} on top of its defaults. */
    public static InferenceServer start(Map<String, String> properties) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("server.port", "0");
        all.put("spring.main.banner-mode", "off");
        all.putAll(properties);
        String[] arguments = all.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        return new InferenceServer(new SpringApplicationBuilder(InferenceServiceApplication.class)
                .initializers(context -> context.getBeanFactory().addBeanPostProcessor(new OwnNettyResources()))
                .run(arguments));
    }

    /** {@code http://127.0.0.1:<port>} of this instance. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** A client of this instance, accepting large JSON bodies. */
    public WebClient client() {
        return WebClient.builder().baseUrl(baseUrl())
                .codecs(c -> c.defaultCodecs().maxInMemorySize(32 * 1024 * 1024)).build();
    }

    /** A bean of the running instance. */
    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }

    /** Own Reactor Netty resources per instance, so closing one leaves the others running. */
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
