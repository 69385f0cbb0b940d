package io.baton.standalone;

import io.baton.protocol.inference.InferenceClient;
import io.baton.inference.InferenceProperties;
import io.baton.inference.generation.GenerationConfiguration;
import io.baton.inference.generation.GenerationService;
import io.baton.inference.models.ModelsConfiguration;
import io.baton.inference.runtime.RuntimeConfiguration;
import io.baton.inference.segments.SegmentService;
import io.baton.inference.segments.SegmentsConfiguration;
import io.baton.inference.state.StateCache;
import io.baton.protocol.memory.MemoryClient;
import io.baton.memory.checkpoints.CheckpointService;
import io.baton.memory.encoding.EncodingConfiguration;
import io.baton.memory.stores.CheckpointStoreConfiguration;
import jakarta.validation.Validator;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The standalone application: the gateway's components plus the memory and inference services'
 * configurations (not their HTTP controllers: in one JVM they are called directly, and their
 * routes would collide with the gateway's). State lives in the in-memory store unless {@code
 * BATON_REDIS_URL} names a Redis. The gateway reaches inference through {@link
 * InProcessInferenceClient} ({@code baton.mode=standalone}), inference reaches memory through
 * {@link InProcessMemoryClient}. The server binds to {@code 127.0.0.1} unless {@code
 * server.address} says otherwise ({@code ./baton serve}).
 */
@SpringBootApplication(scanBasePackages = "io.baton.gateway")
@EnableConfigurationProperties(InferenceProperties.class)
@Import({CheckpointStoreConfiguration.class, EncodingConfiguration.class, CheckpointService.class,
        RuntimeConfiguration.class, ModelsConfiguration.class, SegmentsConfiguration.class,
        GenerationConfiguration.class})
public class BatonStandalone {

    /** The start of the line printed once the server answers, followed by its URL. */
    public static final String SERVING = "baton: serving ";

    public static void main(String[] args) {
        application().run(args);
    }

    /** The application with standalone defaults (in-memory store unless a Redis URL is set). */
    public static SpringApplication application() {
        return application(Map.of());
    }

    /**
     * {@link #application()} with more defaults: like those, the lowest-precedence settings, which the
     * environment, system properties and arguments override.
     */
    public static SpringApplication application(Map<String, Object> defaults) {
        SpringApplication application = new SpringApplication(BatonStandalone.class);
        String redis = System.getenv("BATON_REDIS_URL");
        Map<String, Object> all = new HashMap<>(defaults);
        all.put("baton.store.kind", redis == null || redis.isBlank() ? "memory" : "redis");
        all.put("baton.mode", "standalone");
        all.put("server.address", "127.0.0.1");   // this machine only: without API keys the API is open (SERVER_ADDRESS overrides)
        application.setDefaultProperties(all);
        return application;
    }

    /**
     * Once the server is up, one line on stdout with the address to open: {@code ./baton serve}
     * users read it, and a caller that asked for port 0 learns the port from it.
     */
    @Bean
    ApplicationListener<ApplicationReadyEvent> servingLine() {
        return event -> {
            if (event.getApplicationContext() instanceof WebServerApplicationContext web && web.getWebServer() != null) {
                String address = event.getApplicationContext().getEnvironment().getProperty("server.address", "127.0.0.1");
                String host = address.contains(":") ? "[" + address + "]" : address;
                System.out.println(SERVING + "http://" + host + ":" + web.getWebServer().getPort() + "/");
                System.out.flush();
            }
        };
    }

    @Bean
    InferenceClient inProcessInferenceClient(SegmentService segments, GenerationService generation,
                                             Validator validator) {
        return new InProcessInferenceClient(segments, generation, validator);
    }

    /** The memory client of both; a delete makes inference forget the document's kept state at once. */
    @Bean
    MemoryClient inProcessMemoryClient(CheckpointService checkpoints, StateCache stateCache) {
        return new InProcessMemoryClient(checkpoints, stateCache::forget);
    }
}
