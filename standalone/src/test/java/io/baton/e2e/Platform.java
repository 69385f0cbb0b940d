package io.baton.e2e;

import io.baton.common.redis.RedisConnection;
import io.baton.common.testing.ServiceJar;
import io.baton.common.testing.SpringServer;
import io.baton.common.testing.TestServers;
import io.baton.gateway.GatewayServiceApplication;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The distributed platform for end-to-end tests: memory-service and inference-service as separate
 * JVMs from their built jars ({@code memory-service/target/memory-service.jar}, {@code
 * inference-service/target/inference-service.jar}, or the system properties {@code
 * baton.memory.jar} and {@code baton.inference.jar}), each on a free port and configured through
 * environment variables, memory on the test Redis ({@link TestServers#redisUrl()}); and any
 * number of gateways in distributed mode, each started in this JVM ({@link SpringServer}),
 * reaching inference over HTTP through its own {@link InferenceProxy} and memory (documents API,
 * summary cleanup) over HTTP directly, and requiring the API key of this platform's tenant.
 * Service credentials are on, as deployed: memory and inference require a service token made for
 * this platform, which inference and the gateways send ({@link #memoryClient()} for the test's own
 * reads).
 *
 * <p>Everything runs under one tenant unique to this platform ({@code e2e-<random>}), so its Redis
 * keys are told apart from anything else on the server; {@link #close()} stops the processes and
 * deletes exactly those keys (never a flush). Inference loads only the models asked for (a folder
 * of links into {@code models/zoo}), which keeps its start and restarts short.
 */
public final class Platform implements AutoCloseable {

    /**
     * C1 only (-XX:TieredStopAtLevel=1): a JVM starts sooner, which is most of a restart; the work
     * of these short runs is in ONNX Runtime (native) and Redis, not in JIT-hot Java.
     */
    static final List<String> JVM_OPTIONS = List.of("-Xmx512m", "-XX:TieredStopAtLevel=1");

    private final String tenant = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
    /** The tenant's API key: gateways in distributed mode require keys. */
    private final String apiKey = UUID.randomUUID().toString().replace("-", "");
    /** The service token of this platform: memory and inference require it, inference and gateways send it. */
    private final String serviceToken = UUID.randomUUID().toString().replace("-", "");
    private final Path models;
    private final String defaultModel;
    private final ServiceJar memory;
    private final ServiceJar inference;
    private final RedisClient redisClient;
    private final StatefulRedisConnection<String, String> redis;
    private final List<Gateway> gateways = new ArrayList<>();
    private final List<GatewayProcess> processes = new ArrayList<>();

    /** A gateway of this platform, the proxy in front of its inference, and the tenant's API key. */
    public record Gateway(SpringServer server, InferenceProxy proxy, String apiKey) implements AutoCloseable {

        public String baseUrl() {
            return server.baseUrl();
        }

        /** A client of this gateway that sends the platform tenant's key ({@code X-API-Key}). */
        public WebClient client() {
            return WebClient.builder().baseUrl(baseUrl()).defaultHeader("X-API-Key", apiKey).build();
        }

        @Override
        public void close() {
            try {
                server.close();
            } finally {
                proxy.close();
            }
        }
    }

    /** A gateway of this platform as a JVM of its own ({@code gateway-service.jar}), and the proxy in front of its inference. */
    public record GatewayProcess(ServiceJar jar, InferenceProxy proxy) implements AutoCloseable {

        @Override
        public void close() {
            try {
                jar.close();
            } finally {
                proxy.close();
            }
        }
    }

    private Platform(String redisUrl, List<String> modelIds) {
        models = linkModels(modelIds);
        defaultModel = modelIds.get(0);
        ServiceJar startedMemory = null;
        ServiceJar startedInference = null;
        try {
            int memoryPort = ServiceJar.freePort();
            startedMemory = ServiceJar.launch("memory-service", jar("memory"), JVM_OPTIONS, memoryPort, Map.of(
                    "BATON_REDIS_URL", redisUrl, "BATON_STORE_KIND", "redis", "BATON_SERVICE_TOKEN", serviceToken));
            startedInference = ServiceJar.launch("inference-service", jar("inference"), JVM_OPTIONS, ServiceJar.freePort(),
                    Map.of("BATON_MEMORY_URL", "http://127.0.0.1:" + memoryPort, "BATON_MODELS_DIR", models.toString(),
                            "BATON_DEFAULT_MODEL", modelIds.get(0), "BATON_SERVICE_TOKEN", serviceToken));
            startedMemory.awaitHealthy();
            startedInference.awaitHealthy();
        } catch (RuntimeException e) {
            closeQuietly(startedInference);
            closeQuietly(startedMemory);
            deleteLinks();
            throw e;
        }
        memory = startedMemory;
        inference = startedInference;
        redisClient = RedisClient.create(redisUrl);
        redis = redisClient.connect();
    }

    /**
     * Starts memory and inference (both JVMs at once) serving {@code models} (the first is the
     * default model). Skips the calling test when there is no test Redis, or fails under {@code
     * CI=true} ({@link TestServers}).
     */
    public static Platform start(String... models) {
        return new Platform(TestServers.redisUrl(), List.of(models));
    }

    /**
     * Starts a gateway in distributed mode for this platform's tenant and models, reaching
     * inference through a new {@link InferenceProxy}; {@code settings} ({@code baton.*} keys, e.g.
     * {@code baton.inference.retries}) go on top of the defaults.
     */
    public synchronized Gateway gateway(Map<String, String> settings) {
        InferenceProxy proxy = InferenceProxy.start(inference.baseUrl());
        try {
            Gateway gateway = new Gateway(SpringServer.start(GatewayServiceApplication.class,
                    gatewaySettings(proxy, settings)), proxy, apiKey);
            gateways.add(gateway);
            return gateway;
        } catch (RuntimeException e) {
            proxy.close();
            throw e;
        }
    }

    /**
     * Starts a gateway of this platform as a JVM of its own from {@code gateway-service.jar} (or the
     * system property {@code baton.gateway.jar}), with the settings of {@link #gateway}, and waits
     * until it is healthy: for a test that kills it ({@link ServiceJar#kill()}).
     */
    public synchronized GatewayProcess gatewayProcess(Map<String, String> settings) {
        InferenceProxy proxy = InferenceProxy.start(inference.baseUrl());
        try {
            String json = new tools.jackson.databind.json.JsonMapper().writeValueAsString(gatewaySettings(proxy, settings));
            ServiceJar jar = ServiceJar.launch("gateway-service", jar("gateway"), JVM_OPTIONS, ServiceJar.freePort(),
                    Map.of("SPRING_APPLICATION_JSON", json)).awaitHealthy();
            GatewayProcess gateway = new GatewayProcess(jar, proxy);
            processes.add(gateway);
            return gateway;
        } catch (RuntimeException e) {
            proxy.close();
            throw e;
        }
    }

    private Map<String, String> gatewaySettings(InferenceProxy proxy, Map<String, String> settings) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("baton.mode", "distributed");
        all.put("baton.inference.url", proxy.baseUrl());
        all.put("baton.memory.url", memory.baseUrl());
        all.put("baton.access.api-keys[" + tenant + "]", apiKey);
        all.put("baton.service-token", serviceToken);
        all.put("baton.models.dir", models.toString());
        all.put("baton.models.default-model", defaultModel);
        all.putAll(settings);
        return all;
    }

    /** The tenant every gateway of this platform runs under. */
    public String tenant() {
        return tenant;
    }

    public ServiceJar memory() {
        return memory;
    }

    /** A client of the memory service itself, sending this platform's service token. */
    public WebClient memoryClient() {
        return WebClient.builder().baseUrl(memory.baseUrl())
                .defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + serviceToken).build();
    }

    public ServiceJar inference() {
        return inference;
    }

    /** Raw Redis commands on the server the memory service stores in. */
    public RedisCommands<String, String> redis() {
        return redis.sync();
    }

    /** The Redis key of a document's head (see docs/state-store.md, Redis layout). */
    public String headKey(String document) {
        return "baton:{" + tenant + ":" + document + "}:head";
    }

    /** The Redis key of a document's checkpoint {@code n}. */
    public String checkpointKey(String document, long n) {
        return "baton:{" + tenant + ":" + document + "}:ckpt:" + n;
    }

    /** The Redis keys of this platform's tenant: its documents' keys, the tenant index, its jobs' keys. */
    public List<String> keys() {
        List<String> keys = new ArrayList<>();
        RedisCommands<String, String> commands = redis();
        for (String pattern : List.of("baton:{" + tenant + ":*", "baton:{tenant:" + tenant + "}:*",
                "baton:job:{" + tenant + ":*", "baton:jobs:{" + tenant + "}*")) {
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = commands.scan(cursor, ScanArgs.Builder.matches(pattern).limit(1000));
                keys.addAll(page.getKeys());
                cursor = page;
            } while (!cursor.isFinished());
        }
        return keys;
    }

    /** Kills inference (SIGKILL) and starts a fresh JVM on the same port, without waiting for it. */
    public void crashAndRelaunchInference() {
        inference.kill();
        inference.relaunch();
    }

    @Override
    public void close() {
        for (Gateway gateway : gateways) {
            closeQuietly(gateway);
        }
        for (GatewayProcess gateway : processes) {
            closeQuietly(gateway);
        }
        closeQuietly(inference);
        closeQuietly(memory);
        try {
            List<String> keys = keys();
            if (!keys.isEmpty()) {
                redis().del(keys.toArray(String[]::new));
            }
        } finally {
            redis.close();
            RedisConnection.shutdown(redisClient);
            deleteLinks();
        }
    }

    private static Path jar(String service) {
        return Path.of(System.getProperty("baton." + service + ".jar",
                "../" + service + "-service/target/" + service + "-service.jar"));
    }

    /** A temporary folder of links to the zoo's model folders named. */
    private static Path linkModels(List<String> ids) {
        if (ids.isEmpty()) {
            throw new IllegalArgumentException("name at least one model");
        }
        Path zoo = Path.of(System.getProperty("baton.zoo.dir", "../models/zoo")).toAbsolutePath().normalize();
        try {
            Path folder = Files.createTempDirectory("baton-e2e-models-");
            for (String id : ids) {
                Path model = zoo.resolve(id);
                if (!Files.isDirectory(model)) {
                    throw new IllegalStateException("no model folder " + model);
                }
                Files.createSymbolicLink(folder.resolve(id), model);
            }
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void deleteLinks() {
        try (var links = Files.list(models)) {
            for (Path link : links.toList()) {
                Files.delete(link);
            }
            Files.delete(models);
        } catch (IOException e) {
            System.err.println("could not delete " + models + ": " + e);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            System.err.println("closing " + closeable + ": " + e);
        }
    }
}
