package io.baton.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The platform under test, every service a process of its own ({@link Node}), on a Redis given by
 * the caller. Distributed: the memory, inference and gateway jars (the gateway as many times as
 * asked, each in distributed mode), with a service token made for the run and the model folder
 * holding only the model asked for. Serve: {@code ./baton serve}, the one-JVM composition, on the
 * same Redis ({@code BATON_REDIS_URL}). Either way the gateways require API keys, one per tenant
 * asked for, and nothing else stands between a client and the gateways.
 */
public final class Stack implements AutoCloseable {

    /** How the platform runs. */
    public enum Mode {
        DISTRIBUTED, SERVE;

        static Mode of(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    private final Mode mode;
    private final String model;
    private final Map<String, String> keys;
    private final String serviceToken = UUID.randomUUID().toString().replace("-", "");
    private final Path models;
    private final List<Node> nodes = new ArrayList<>();
    private Node memory;
    private Node inference;
    private final List<Node> gateways = new ArrayList<>();

    private Stack(Mode mode, String model, Map<String, String> keys, Path models) {
        this.mode = mode;
        this.model = model;
        this.keys = keys;
        this.models = models;
    }

    /**
     * Starts the platform and waits until every service is healthy.
     *
     * @param tenants   the tenants whose API keys the gateways take (a random key each)
     * @param gateways  gateways to start (distributed mode; serve always has one)
     * @param jvmOptions options of every service JVM (e.g. {@code -Xmx1g})
     */
    static Stack start(Mode mode, String redisUrl, String model, List<String> tenants, int gateways,
                       List<String> jvmOptions, Path logs) {
        return start(mode, redisUrl, model, tenants, gateways, jvmOptions, Map.of(), logs);
    }

    /**
     * As {@link #start(Mode, String, String, List, int, List, Path)}, with {@code gatewayEnv} on top
     * of each gateway's environment (distributed mode), e.g. {@code BATON_REDIS_URL} and {@code
     * BATON_RABBITMQ_URL} for batch jobs.
     */
    public static Stack start(Mode mode, String redisUrl, String model, List<String> tenants, int gateways,
                              List<String> jvmOptions, Map<String, String> gatewayEnv, Path logs) {
        return start(mode, redisUrl, model, tenants, gateways, jvmOptions, gatewayEnv, Map.of(), logs);
    }

    /**
     * As {@link #start(Mode, String, String, List, int, List, Map, Path)}, with {@code memoryEnv} on
     * top of the memory service's environment (distributed mode), e.g. {@code BATON_REDIS_MODE} and
     * {@code BATON_REDIS_WAITREPLICAS} for a Cluster with WAIT.
     */
    static Stack start(Mode mode, String redisUrl, String model, List<String> tenants, int gateways,
                       List<String> jvmOptions, Map<String, String> gatewayEnv, Map<String, String> memoryEnv,
                       Path logs) {
        Map<String, String> keys = new LinkedHashMap<>();
        tenants.forEach(tenant -> keys.put(tenant, UUID.randomUUID().toString().replace("-", "")));
        Stack stack = new Stack(mode, model, keys, linkModel(model));
        try {
            if (mode == Mode.SERVE) {
                stack.startServe(redisUrl, jvmOptions, logs);
            } else {
                stack.startDistributed(redisUrl, gateways, jvmOptions, gatewayEnv, memoryEnv, logs);
            }
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void startDistributed(String redisUrl, int gatewayCount, List<String> jvmOptions,
                                  Map<String, String> gatewayEnv, Map<String, String> memoryEnv, Path logs) {
        int memoryPort = Node.freePort();
        Map<String, String> memoryVariables = new LinkedHashMap<>(Map.of("BATON_REDIS_URL", redisUrl,
                "BATON_STORE_KIND", "redis", "BATON_SERVICE_TOKEN", serviceToken));
        memoryVariables.putAll(memoryEnv);
        memory = add(Node.start("memory", jar("memory", jvmOptions), memoryVariables, memoryPort, logs));
        inference = add(Node.start("inference", jar("inference", jvmOptions), Map.of(
                "BATON_MEMORY_URL", memory.baseUrl(), "BATON_MODELS_DIR", models.toString(),
                "BATON_DEFAULT_MODEL", model, "BATON_SERVICE_TOKEN", serviceToken), Node.freePort(), logs));
        memory.awaitHealthy();
        inference.awaitHealthy();
        for (int i = 0; i < gatewayCount; i++) {
            Map<String, String> env = new LinkedHashMap<>(Map.of("BATON_MODE", "distributed",
                    "BATON_INFERENCE_URL", inference.baseUrl(), "BATON_MEMORY_URL", memory.baseUrl(),
                    "BATON_SERVICE_TOKEN", serviceToken, "BATON_MODELS_DIR", models.toString(),
                    "BATON_DEFAULT_MODEL", model));
            env.putAll(gatewayEnv);
            env.put("SPRING_APPLICATION_JSON", keysJson());
            gateways.add(add(Node.start("gateway-" + (i + 1), jar("gateway", jvmOptions), env, Node.freePort(), logs)));
        }
        gateways.forEach(Node::awaitHealthy);
    }

    private void startServe(String redisUrl, List<String> jvmOptions, Path logs) {
        Map<String, String> env = new LinkedHashMap<>(Map.of("BATON_REDIS_URL", redisUrl,
                "BATON_MODELS_DIR", models.toString(), "BATON_DEFAULT_MODEL", model,
                "JAVA_OPTS", String.join(" ", jvmOptions)));
        env.put("SPRING_APPLICATION_JSON", keysJson());
        gateways.add(add(Node.start("baton-serve", List.of(Path.of("baton").toAbsolutePath().toString(), "serve"),
                env, Node.freePort(), logs)));
        gateways.get(0).awaitHealthy();
    }

    /** The tenants' keys as Spring reads them from {@code SPRING_APPLICATION_JSON} (tenant names keep their case). */
    private String keysJson() {
        String entries = keys.entrySet().stream().map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"")
                .collect(Collectors.joining(","));
        return "{\"baton\":{\"access\":{\"api-keys\":{" + entries + "}}}}";
    }

    private Node add(Node node) {
        nodes.add(node);
        return node;
    }

    private static List<String> jar(String service, List<String> jvmOptions) {
        Path jar = Path.of(System.getProperty("baton." + service + ".jar",
                service + "-service/target/" + service + "-service.jar")).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no " + service + " jar at " + jar + ": build it first");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        return command;
    }

    /** A temporary model folder with a link to {@code models/zoo/<model>} only: inference loads just that. */
    private static Path linkModel(String model) {
        Path zoo = Path.of(System.getProperty("baton.zoo.dir", "models/zoo")).toAbsolutePath().normalize();
        if (!Files.isDirectory(zoo.resolve(model))) {
            throw new IllegalStateException("no model folder " + zoo.resolve(model));
        }
        try {
            Path folder = Files.createTempDirectory("baton-reliability-models-");
            Files.createSymbolicLink(folder.resolve(model), zoo.resolve(model));
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Mode mode() {
        return mode;
    }

    String model() {
        return model;
    }

    /** The API key of {@code tenant}. */
    public String key(String tenant) {
        return keys.get(tenant);
    }

    String serviceToken() {
        return serviceToken;
    }

    /** The memory service (distributed mode only). */
    Node memory() {
        return memory;
    }

    /** The inference service (distributed mode only). */
    Node inference() {
        return inference;
    }

    List<Node> gateways() {
        return gateways;
    }

    public Node gateway() {
        return gateways.get(0);
    }

    /** Every service process, in start order. */
    public List<Node> nodes() {
        return nodes;
    }

    @Override
    public void close() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node node = nodes.get(i);
            try {
                node.close();
            } catch (RuntimeException e) {
                System.err.println("stopping " + node + ": " + e);
            }
        }
        try {
            try (var links = Files.list(models)) {
                for (Path link : links.toList()) {
                    Files.delete(link);
                }
            }
            Files.delete(models);
        } catch (IOException e) {
            System.err.println("could not delete " + models + ": " + e);
        }
    }
}
