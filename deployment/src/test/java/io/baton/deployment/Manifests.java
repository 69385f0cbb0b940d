package io.baton.deployment;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The objects one kustomization renders to, with the look-ups the rules need: workloads and their
 * containers, the environment a container gets (config maps resolved, secrets named), label selectors.
 *
 * @param name    the overlay's name ({@code cpu}, {@code gpu}, {@code dev}), for messages
 * @param objects every rendered object, in kubectl's order
 */
record Manifests(String name, List<ObjectNode> objects) {

    private static final YAMLMapper YAML = new YAMLMapper();
    static final ObjectMapper JSON = new ObjectMapper();

    /** A Deployment's or StatefulSet's pod template, with the workload it belongs to. */
    record Workload(String kind, String name, ObjectNode object) {

        JsonNode pod() {
            return object.path("spec").path("template");
        }

        JsonNode podSpec() {
            return pod().path("spec");
        }

        Map<String, String> podLabels() {
            return strings(pod().path("metadata").path("labels"));
        }

        List<JsonNode> containers() {
            List<JsonNode> all = new ArrayList<>();
            podSpec().path("initContainers").forEach(all::add);
            podSpec().path("containers").forEach(all::add);
            return all;
        }

        @Override
        public String toString() {
            return kind + "/" + name;
        }
    }

    /** The path of kubectl on the PATH, if there is one. */
    static Optional<Path> kubectl() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "kubectl");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Renders {@code dir} with {@code kubectl kustomize}; a failure to render fails with kubectl's message. */
    static Manifests render(Path kubectl, String name, Path dir) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString()).start();
        CompletableFuture<String> errors = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        String out = read(process.getInputStream());
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("kubectl kustomize " + dir + " did not finish in 120 s");
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("kubectl kustomize " + dir + " failed (" + process.exitValue() + "): "
                    + errors.join());
        }
        return parse(name, out);
    }

    static Manifests parse(String name, String yaml) throws IOException {
        List<ObjectNode> objects = new ArrayList<>();
        try (var values = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            while (values.hasNext()) {
                JsonNode node = values.next();
                if (node instanceof ObjectNode object) {
                    objects.add(object);
                }
            }
        }
        return new Manifests(name, List.copyOf(objects));
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("reading kubectl's output", e);
        }
    }

    /** A deep copy, for a test that breaks something on purpose. */
    Manifests copy() {
        return new Manifests(name, objects.stream().map(ObjectNode::deepCopy).toList());
    }

    Stream<ObjectNode> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText()));
    }

    Optional<ObjectNode> find(String kind, String name) {
        return ofKind(kind).filter(o -> name.equals(name(o))).findFirst();
    }

    ObjectNode get(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError(this.name + ": no " + kind + "/" + name));
    }

    List<Workload> workloads() {
        return objects.stream()
                .filter(o -> List.of("Deployment", "StatefulSet").contains(o.path("kind").asText()))
                .map(o -> new Workload(o.path("kind").asText(), name(o), o))
                .toList();
    }

    Workload workload(String kind, String name) {
        return new Workload(kind, name, get(kind, name));
    }

    /** The Deployments of Baton's own services (the images built from this repository). */
    List<Workload> batonDeployments() {
        return workloads().stream()
                .filter(w -> w.kind().equals("Deployment"))
                .filter(w -> w.containers().stream().anyMatch(c -> c.path("image").asText().startsWith("baton/")))
                .toList();
    }

    /**
     * The environment of a container as the kubelet builds it, in order: each {@code envFrom} config
     * map's data, then {@code env}. A value from a secret reads {@code secret:<name>/<key>} (or
     * {@code secret:<name>/*} for a whole secret); a config map that is not rendered is an error.
     */
    Map<String, String> environment(JsonNode container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode from : container.path("envFrom")) {
            if (from.has("configMapRef")) {
                String map = from.path("configMapRef").path("name").asText();
                JsonNode data = find("ConfigMap", map)
                        .orElseThrow(() -> new AssertionError(name + ": config map " + map + " is not rendered"))
                        .path("data");
                env.putAll(strings(data));
            } else if (from.has("secretRef")) {
                env.put("secret:" + from.path("secretRef").path("name").asText(), "secret:*");
            }
        }
        for (JsonNode variable : container.path("env")) {
            JsonNode secret = variable.path("valueFrom").path("secretKeyRef");
            JsonNode map = variable.path("valueFrom").path("configMapKeyRef");
            if (!secret.isMissingNode()) {
                env.put(variable.path("name").asText(),
                        "secret:" + secret.path("name").asText() + "/" + secret.path("key").asText());
            } else if (!map.isMissingNode()) {
                env.put(variable.path("name").asText(),
                        get("ConfigMap", map.path("name").asText()).path("data").path(map.path("key").asText()).asText());
            } else {
                env.put(variable.path("name").asText(), variable.path("value").asText());
            }
        }
        return env;
    }

    static String name(JsonNode object) {
        return object.path("metadata").path("name").asText();
    }

    static String id(JsonNode object) {
        return object.path("kind").asText() + "/" + name(object);
    }

    static Map<String, String> strings(JsonNode map) {
        Map<String, String> out = new LinkedHashMap<>();
        map.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** Whether a label selector ({@code matchLabels} only; expressions are refused) selects {@code labels}. */
    static boolean selects(JsonNode selector, Map<String, String> labels) {
        if (selector.has("matchExpressions")) {
            throw new AssertionError("matchExpressions are not used in k8s/ (and not evaluated here): " + selector);
        }
        JsonNode match = selector.has("matchLabels") ? selector.path("matchLabels") : selector;
        return strings(match).entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }
}
