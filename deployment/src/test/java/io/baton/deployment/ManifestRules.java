package io.baton.deployment;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.baton.deployment.Manifests.Workload;
import io.baton.deployment.NetworkPolicies.Endpoint;

/**
 * The rules every rendered overlay follows (docs/deployment.md#kubernetes), each answering the list of
 * what breaks it: empty when the manifests follow it.
 */
final class ManifestRules {

    /** Each Baton image's HTTP port (server.port of its application.yaml). */
    static final Map<String, Integer> SERVICE_PORTS = Map.of(
            "baton/memory-service", 8082, "baton/inference-service", 8081, "baton/inference-service-cuda", 8081,
            "baton/gateway-service", 8080);

    static final String LIVENESS = "/actuator/health/liveness";
    static final String READINESS = "/actuator/health/readiness";
    static final String GPU = "nvidia.com/gpu";

    private ManifestRules() {
    }

    /** Every container has a startup, a liveness and a readiness probe; Baton's use the actuator groups. */
    static List<String> probes(Manifests m) {
        List<String> out = new ArrayList<>();
        for (Workload w : m.workloads()) {
            for (JsonNode c : w.containers()) {
                String where = w + " container " + c.path("name").asText();
                for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                    if (!c.has(probe)) {
                        out.add(where + " has no " + probe);
                    }
                }
                Integer port = SERVICE_PORTS.get(image(c));
                if (port == null) {
                    continue;
                }
                expectHttpGet(out, where, c, "startupProbe", LIVENESS, port);
                expectHttpGet(out, where, c, "livenessProbe", LIVENESS, port);
                expectHttpGet(out, where, c, "readinessProbe", READINESS, port);
            }
        }
        return out;
    }

    private static void expectHttpGet(List<String> out, String where, JsonNode container, String probe, String path,
                                      int port) {
        JsonNode get = container.path(probe).path("httpGet");
        if (!path.equals(get.path("path").asText())) {
            out.add(where + " " + probe + " is not GET " + path + ": " + container.path(probe));
        }
        JsonNode p = get.path("port");
        int resolved = p.isInt() ? p.asInt() : StreamSupport.stream(container.path("ports").spliterator(), false)
                .filter(cp -> cp.path("name").asText().equals(p.asText()))
                .mapToInt(cp -> cp.path("containerPort").asInt()).findFirst().orElse(-1);
        if (resolved != port) {
            out.add(where + " " + probe + " is on port " + p + " (" + resolved + "), not the service's " + port);
        }
    }

    /** The inference service loads its models at start-up: its startup probe allows minutes. */
    static List<String> inferenceStartsSlowly(Manifests m) {
        JsonNode probe = m.workload("Deployment", "inference").containers().get(0).path("startupProbe");
        long budget = (long) probe.path("periodSeconds").asInt(10) * probe.path("failureThreshold").asInt(3);
        return budget >= 300 ? List.of() : List.of("inference's startup probe gives up after " + budget + " s");
    }

    /** Every container requests and limits CPU and memory, and requests no more than its limit. */
    static List<String> resources(Manifests m) {
        List<String> out = new ArrayList<>();
        for (Workload w : m.workloads()) {
            for (JsonNode c : w.containers()) {
                String where = w + " container " + c.path("name").asText();
                JsonNode resources = c.path("resources");
                for (String resource : List.of("cpu", "memory")) {
                    JsonNode request = resources.path("requests").path(resource);
                    JsonNode limit = resources.path("limits").path(resource);
                    if (request.isMissingNode() || limit.isMissingNode()) {
                        out.add(where + " lacks a " + resource + " request or limit: " + resources);
                    } else if (quantity(request.asText()).compareTo(quantity(limit.asText())) > 0) {
                        out.add(where + " requests more " + resource + " than its limit: " + resources);
                    }
                }
            }
        }
        return out;
    }

    /**
     * Every pod runs non-root with seccomp RuntimeDefault; every container has a read-only root
     * filesystem, no privilege escalation and all capabilities dropped; Baton's get a writable /tmp.
     */
    static List<String> securityContexts(Manifests m) {
        List<String> out = new ArrayList<>();
        for (Workload w : m.workloads()) {
            JsonNode pod = w.podSpec().path("securityContext");
            if (!pod.path("runAsNonRoot").asBoolean(false)) {
                out.add(w + " pod is not runAsNonRoot");
            }
            for (JsonNode c : w.containers()) {
                String where = w + " container " + c.path("name").asText();
                JsonNode sc = c.path("securityContext");
                if (!sc.path("runAsNonRoot").asBoolean(pod.path("runAsNonRoot").asBoolean(false))) {
                    out.add(where + " may run as root");
                }
                if (!sc.path("readOnlyRootFilesystem").asBoolean(false)) {
                    out.add(where + " has a writable root filesystem");
                }
                if (sc.path("allowPrivilegeEscalation").asBoolean(true)) {
                    out.add(where + " allows privilege escalation");
                }
                if (!texts(sc.path("capabilities").path("drop")).contains("ALL")) {
                    out.add(where + " does not drop all capabilities");
                }
                if (!sc.path("capabilities").path("add").isEmpty()) {
                    out.add(where + " adds capabilities " + sc.path("capabilities").path("add"));
                }
                String seccomp = sc.path("seccompProfile").path("type")
                        .asText(pod.path("seccompProfile").path("type").asText());
                if (!seccomp.equals("RuntimeDefault")) {
                    out.add(where + " has seccomp '" + seccomp + "', not RuntimeDefault");
                }
                if (c.path("image").asText().startsWith("baton/") && !hasEmptyDirAt(w, c, "/tmp")) {
                    out.add(where + " has no emptyDir at /tmp (its root filesystem is read-only)");
                }
            }
        }
        return out;
    }

    private static boolean hasEmptyDirAt(Workload w, JsonNode container, String path) {
        for (JsonNode mount : container.path("volumeMounts")) {
            if (mount.path("mountPath").asText().equals(path)) {
                for (JsonNode volume : w.podSpec().path("volumes")) {
                    if (volume.path("name").asText().equals(mount.path("name").asText()) && volume.has("emptyDir")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * Graceful shutdown of Baton's Deployments: a preStop sleep (the pod leaves the Service's endpoints
     * first), Spring's graceful shutdown with a bounded phase, a grace period longer than both, and a
     * rolling update that never goes below the wanted replicas.
     */
    static List<String> gracefulShutdown(Manifests m) {
        List<String> out = new ArrayList<>();
        for (Workload w : m.batonDeployments()) {
            JsonNode c = w.podSpec().path("containers").path(0);
            Map<String, String> env = m.environment(c);
            long sleep = c.path("lifecycle").path("preStop").path("sleep").path("seconds").asLong(0);
            if (sleep <= 0) {
                out.add(w + " has no preStop sleep");
            }
            if (!"graceful".equals(env.get("SERVER_SHUTDOWN"))) {
                out.add(w + " does not set SERVER_SHUTDOWN=graceful");
            }
            String phase = env.get("SPRING_LIFECYCLE_TIMEOUTPERSHUTDOWNPHASE");
            if (phase == null) {
                out.add(w + " does not bound SPRING_LIFECYCLE_TIMEOUTPERSHUTDOWNPHASE");
                continue;
            }
            long grace = w.podSpec().path("terminationGracePeriodSeconds").asLong(30);
            long needed = sleep + duration(phase).toSeconds();
            if (grace <= needed) {
                out.add(w + " terminationGracePeriodSeconds " + grace + " is not longer than preStop " + sleep
                        + " s + shutdown phase " + phase);
            }
            JsonNode strategy = w.object().path("spec").path("strategy");
            if (!strategy.path("rollingUpdate").path("maxUnavailable").asText().equals("0")) {
                out.add(w + " may take a pod away before its replacement is ready: " + strategy);
            }
        }
        return out;
    }

    /** Baton's Deployments spread their pods over nodes (and zones) with their own labels. */
    static List<String> topologySpread(Manifests m) {
        List<String> out = new ArrayList<>();
        for (Workload w : m.batonDeployments()) {
            boolean byNode = false;
            for (JsonNode constraint : w.podSpec().path("topologySpreadConstraints")) {
                if (!Manifests.selects(constraint.path("labelSelector"), w.podLabels())) {
                    out.add(w + " spreads by a selector that misses its own pods: " + constraint);
                }
                byNode |= constraint.path("topologyKey").asText().equals("kubernetes.io/hostname");
            }
            if (!byNode) {
                out.add(w + " has no topology spread over nodes");
            }
        }
        return out;
    }

    /** Only inference asks for a GPU, only in the GPU overlay, where it also tolerates and selects GPU nodes. */
    static List<String> gpu(Manifests m) {
        List<String> out = new ArrayList<>();
        boolean gpuOverlay = m.name().equals("gpu");
        for (Workload w : m.workloads()) {
            boolean inference = w.kind().equals("Deployment") && w.name().equals("inference");
            for (JsonNode c : w.containers()) {
                JsonNode resources = c.path("resources");
                boolean asks = resources.path("requests").has(GPU) || resources.path("limits").has(GPU);
                if (asks != (inference && gpuOverlay)) {
                    out.add(w + " container " + c.path("name").asText() + (asks ? " asks for" : " does not ask for")
                            + " a GPU in overlay " + m.name());
                }
                if (inference && gpuOverlay && !resources.path("limits").path(GPU).asText().equals("1")) {
                    out.add(w + " does not limit " + GPU + " to 1: " + resources);
                }
            }
            if (inference && gpuOverlay) {
                JsonNode spec = w.podSpec();
                boolean tolerates = StreamSupport.stream(spec.path("tolerations").spliterator(), false)
                        .anyMatch(t -> t.path("key").asText().equals(GPU));
                if (!tolerates) {
                    out.add(w + " does not tolerate the " + GPU + " taint");
                }
                if (spec.path("nodeSelector").isEmpty()) {
                    out.add(w + " has no node selector for GPU nodes");
                }
                JsonNode c = spec.path("containers").path(0);
                if (!c.path("image").asText().startsWith("baton/inference-service-cuda:")) {
                    out.add(w + " does not run the CUDA image: " + c.path("image").asText());
                }
                if (!"cuda".equals(m.environment(c).get("BATON_ONNX_PROVIDER"))) {
                    out.add(w + " does not use the cuda execution provider");
                }
            }
        }
        return out;
    }

    /**
     * Every Deployment that runs more than one pod (its replicas, or the most its autoscaler allows) has
     * a PodDisruptionBudget that selects exactly its pods.
     */
    static List<String> disruptionBudgets(Manifests m) {
        List<String> out = new ArrayList<>();
        List<Workload> workloads = m.workloads();
        for (Workload w : workloads) {
            if (!w.kind().equals("Deployment") || mostReplicas(m, w) <= 1) {
                continue;
            }
            boolean covered = m.ofKind("PodDisruptionBudget").anyMatch(pdb -> {
                JsonNode selector = pdb.path("spec").path("selector");
                return Manifests.selects(selector, w.podLabels()) && workloads.stream()
                        .filter(other -> other != w).noneMatch(other -> Manifests.selects(selector, other.podLabels()));
            });
            if (!covered) {
                out.add(w + " runs up to " + mostReplicas(m, w) + " pods and has no PodDisruptionBudget of its own");
            }
        }
        return out;
    }

    static int mostReplicas(Manifests m, Workload w) {
        int most = w.object().path("spec").path("replicas").asInt(1);
        for (ObjectNode hpa : m.ofKind("HorizontalPodAutoscaler").toList()) {
            if (hpa.path("spec").path("scaleTargetRef").path("name").asText().equals(w.name())) {
                most = Math.max(most, hpa.path("spec").path("maxReplicas").asInt());
            }
        }
        for (ObjectNode scaled : m.ofKind("ScaledObject").toList()) {
            if (scaled.path("spec").path("scaleTargetRef").path("name").asText().equals(w.name())) {
                most = Math.max(most, scaled.path("spec").path("maxReplicaCount").asInt(100));
            }
        }
        return most;
    }

    /** A default deny of both directions, and a policy of its own for every pod. */
    static List<String> everyPodHasANetworkPolicy(Manifests m) {
        List<String> out = new ArrayList<>();
        boolean defaultDeny = m.ofKind("NetworkPolicy").anyMatch(p -> p.path("spec").path("podSelector").isEmpty()
                && texts(p.path("spec").path("policyTypes")).containsAll(List.of("Ingress", "Egress"))
                && p.path("spec").path("ingress").isEmpty() && p.path("spec").path("egress").isEmpty());
        if (!defaultDeny) {
            out.add("no default-deny NetworkPolicy (empty pod selector, Ingress and Egress, no rules)");
        }
        NetworkPolicies policies = new NetworkPolicies(m);
        for (Workload w : m.workloads()) {
            boolean own = policies.selecting(w.podLabels()).stream()
                    .anyMatch(p -> !p.path("spec").path("podSelector").isEmpty());
            if (!own) {
                out.add(w + " is selected by no NetworkPolicy of its own");
            }
        }
        return out;
    }

    /**
     * The connections the network policies allow are exactly the architecture's: every pair of
     * deployed pods on every port they listen on, clients and the monitoring and KEDA namespaces, DNS.
     */
    static List<String> networkPaths(Manifests m) {
        NetworkPolicies policies = new NetworkPolicies(m);
        Map<String, Endpoint> pods = new java.util.LinkedHashMap<>();
        for (Workload w : m.workloads()) {
            pods.put(w.name(), Endpoint.inside(w.name(), "baton", w.podLabels()));
        }
        Endpoint client = Endpoint.outside("a client", "ingress-nginx", Map.of("app", "ingress-nginx"));
        Endpoint prometheus = Endpoint.outside("Prometheus", "monitoring", Map.of("app", "prometheus"));
        Endpoint keda = Endpoint.outside("KEDA", "keda", Map.of("app", "keda-operator"));
        Endpoint dns = Endpoint.outside("DNS", "kube-system", Map.of("k8s-app", "kube-dns"));
        Endpoint internet = Endpoint.outside("elsewhere", "other", Map.of());

        Set<String> expected = new HashSet<>(Set.of(
                // The public API is open to every source.
                "a client->gateway:8080", "KEDA->gateway:8080",
                "gateway->inference:8081", "gateway->memory:8082", "gateway->redis:6379", "gateway->rabbitmq:5672",
                "gateway-jobs->inference:8081", "gateway-jobs->memory:8082", "gateway-jobs->redis:6379",
                "gateway-jobs->rabbitmq:5672",
                "inference->memory:8082",
                "memory->redis:6379",
                "Prometheus->gateway:8080", "Prometheus->gateway-jobs:8080", "Prometheus->inference:8081",
                "Prometheus->memory:8082", "Prometheus->rabbitmq:15692",
                "KEDA->rabbitmq:5672"));
        expected.removeIf(path -> !pods.keySet().containsAll(podsOf(path)));

        Set<String> actual = new LinkedHashSet<>();
        List<Endpoint> sources = new ArrayList<>(pods.values());
        sources.addAll(List.of(client, prometheus, keda));
        for (Endpoint from : sources) {
            for (Workload w : m.workloads()) {
                Endpoint to = pods.get(w.name());
                for (JsonNode c : w.containers()) {
                    for (JsonNode port : c.path("ports")) {
                        int number = port.path("containerPort").asInt();
                        if (policies.allows(from, to, "TCP", number)) {
                            actual.add(from + "->" + to + ":" + number);
                        }
                    }
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (String path : expected) {
            if (!actual.contains(path)) {
                out.add("needed path denied: " + path);
            }
        }
        for (String path : actual) {
            if (!expected.contains(path)) {
                out.add("path allowed that the architecture does not need: " + path);
            }
        }
        for (Endpoint pod : pods.values()) {
            if (!policies.allows(pod, dns, "UDP", 53)) {
                out.add(pod + " cannot resolve names (UDP 53 to kube-dns denied)");
            }
            for (int port : List.of(443, 80, 6379)) {
                if (policies.allows(pod, internet, "TCP", port)) {
                    out.add(pod + " may connect anywhere on " + port);
                }
            }
        }
        return out;
    }

    private static List<String> podsOf(String path) {
        String[] ends = path.split("->");
        List<String> named = new ArrayList<>();
        if (!ends[0].contains(" ") && !List.of("Prometheus", "KEDA").contains(ends[0])) {
            named.add(ends[0]);
        }
        named.add(ends[1].substring(0, ends[1].indexOf(':')));
        return named;
    }

    /**
     * The API gateway consumes no jobs; gateway-jobs does and takes no client traffic: no Service with a
     * cluster address selects it.
     */
    static List<String> jobConsumers(Manifests m) {
        List<String> out = new ArrayList<>();
        Workload api = m.workload("Deployment", "gateway");
        Workload jobs = m.workload("Deployment", "gateway-jobs");
        String apiConsumers = m.environment(api.podSpec().path("containers").path(0)).get("BATON_JOBS_CONSUMERS");
        String jobConsumers = m.environment(jobs.podSpec().path("containers").path(0)).get("BATON_JOBS_CONSUMERS");
        if (!"0".equals(apiConsumers)) {
            out.add("the API gateway runs job consumers: BATON_JOBS_CONSUMERS=" + apiConsumers);
        }
        if (jobConsumers == null || Integer.parseInt(jobConsumers) <= 0) {
            out.add("gateway-jobs runs no job consumers: BATON_JOBS_CONSUMERS=" + jobConsumers);
        }
        m.ofKind("Service").filter(s -> !s.path("spec").path("clusterIP").asText().equals("None"))
                .filter(s -> Manifests.selects(s.path("spec").path("selector"), jobs.podLabels()))
                .forEach(s -> out.add("Service " + Manifests.name(s) + " exposes gateway-jobs"));
        m.ofKind("Service").filter(s -> Manifests.selects(s.path("spec").path("selector"), api.podLabels())
                        && Manifests.selects(s.path("spec").path("selector"), jobs.podLabels()))
                .forEach(s -> out.add("Service " + Manifests.name(s) + " selects both kinds of gateway"));
        return out;
    }

    /**
     * Autoscaling: CPU HPAs for the API gateway and memory; KEDA for inference on the p95 of the segment
     * queue time and for gateway-jobs on the length of baton.jobs.requests; every target exists, no
     * Deployment has two autoscalers, and none that is autoscaled sets its own replicas.
     */
    static List<String> autoscaling(Manifests m) {
        List<String> out = new ArrayList<>();
        Set<String> deployments = new HashSet<>();
        m.ofKind("Deployment").forEach(d -> deployments.add(Manifests.name(d)));
        List<String> targets = new ArrayList<>();
        m.ofKind("HorizontalPodAutoscaler").forEach(h -> targets.add(h.path("spec").path("scaleTargetRef").path("name").asText()));
        m.ofKind("ScaledObject").forEach(s -> targets.add(s.path("spec").path("scaleTargetRef").path("name").asText()));
        for (String target : targets) {
            if (!deployments.contains(target)) {
                out.add("an autoscaler targets " + target + ", which is not a rendered Deployment");
            }
            if (targets.stream().filter(target::equals).count() > 1) {
                out.add(target + " has more than one autoscaler");
            }
            m.find("Deployment", target).filter(d -> d.path("spec").has("replicas")).ifPresent(d -> out.add(
                    "Deployment/" + target + " sets replicas, which every apply would reset under its autoscaler"));
        }
        if (m.name().equals("dev")) {
            return out;
        }
        for (String name : List.of("gateway", "memory")) {
            boolean cpu = m.find("HorizontalPodAutoscaler", name).stream()
                    .flatMap(h -> StreamSupport.stream(h.path("spec").path("metrics").spliterator(), false))
                    .anyMatch(metric -> metric.path("resource").path("name").asText().equals("cpu"));
            if (!cpu) {
                out.add("no CPU HorizontalPodAutoscaler for " + name);
            }
        }
        JsonNode inference = trigger(m, "inference", "prometheus");
        String query = inference.path("metadata").path("query").asText();
        for (String part : List.of("histogram_quantile(0.95", "baton_segment_duration_seconds_bucket", "step=\"queue\"")) {
            if (!query.contains(part)) {
                out.add("inference's KEDA query lacks " + part + ": " + query);
            }
        }
        if (inference.path("metadata").path("threshold").isMissingNode()) {
            out.add("inference's KEDA trigger has no threshold");
        }
        JsonNode jobs = trigger(m, "gateway-jobs", "rabbitmq");
        if (!jobs.path("metadata").path("queueName").asText().equals("baton.jobs.requests")) {
            out.add("gateway-jobs' KEDA trigger does not read baton.jobs.requests: " + jobs);
        }
        if (!jobs.path("metadata").path("mode").asText().equals("QueueLength")) {
            out.add("gateway-jobs' KEDA trigger does not scale on the queue length: " + jobs);
        }
        String auth = jobs.path("authenticationRef").path("name").asText();
        if (m.find("TriggerAuthentication", auth).isEmpty()) {
            out.add("gateway-jobs' KEDA trigger authenticates with " + auth + ", which is not rendered");
        }
        return out;
    }

    private static JsonNode trigger(Manifests m, String scaledObject, String type) {
        return m.find("ScaledObject", scaledObject).stream()
                .flatMap(s -> StreamSupport.stream(s.path("spec").path("triggers").spliterator(), false))
                .filter(t -> t.path("type").asText().equals(type)).findFirst()
                .orElseThrow(() -> new AssertionError(m.name() + ": no " + type + " trigger in ScaledObject " + scaledObject));
    }

    /**
     * The ServiceMonitor scrapes /actuator/prometheus of every Baton Deployment: some Service it selects
     * has the endpoint's port and selects the Deployment's pods.
     */
    static List<String> serviceMonitor(Manifests m) {
        List<String> out = new ArrayList<>();
        if (m.name().equals("dev")) {
            return out;
        }
        List<ObjectNode> monitors = m.ofKind("ServiceMonitor").toList();
        for (Workload w : m.batonDeployments()) {
            boolean scraped = monitors.stream().anyMatch(sm -> m.ofKind("Service")
                    .filter(s -> Manifests.selects(sm.path("spec").path("selector"), Manifests.strings(s.path("metadata").path("labels"))))
                    .filter(s -> Manifests.selects(s.path("spec").path("selector"), w.podLabels()))
                    .anyMatch(s -> StreamSupport.stream(sm.path("spec").path("endpoints").spliterator(), false)
                            .anyMatch(e -> e.path("path").asText().equals("/actuator/prometheus")
                                    && texts(s.path("spec").path("ports"), "name").contains(e.path("port").asText()))));
            if (!scraped) {
                out.add(w + " is scraped by no ServiceMonitor at /actuator/prometheus");
            }
        }
        return out;
    }

    /** Every Service selects the pods of some workload, and each of its target ports is one they name or open. */
    static List<String> services(Manifests m) {
        List<String> out = new ArrayList<>();
        for (ObjectNode service : m.ofKind("Service").toList()) {
            JsonNode selector = service.path("spec").path("selector");
            List<Workload> selected = m.workloads().stream().filter(w -> Manifests.selects(selector, w.podLabels())).toList();
            if (selector.isEmpty() || selected.isEmpty()) {
                out.add("Service " + Manifests.name(service) + " selects no workload's pods: " + selector);
                continue;
            }
            for (JsonNode port : service.path("spec").path("ports")) {
                JsonNode target = port.has("targetPort") ? port.path("targetPort") : port.path("port");
                boolean opened = selected.stream().flatMap(w -> w.containers().stream())
                        .flatMap(c -> StreamSupport.stream(c.path("ports").spliterator(), false))
                        .anyMatch(p -> target.isInt() ? p.path("containerPort").asInt() == target.asInt()
                                : p.path("name").asText().equals(target.asText()));
                if (!opened) {
                    out.add("Service " + Manifests.name(service) + " targets port " + target + ", which its pods do not open");
                }
            }
        }
        return out;
    }

    /**
     * Every Secret and key a workload or KEDA reads exists in {@code secrets} (the Secrets the user makes,
     * or those the overlay generates), and every namespaced object is in one namespace.
     */
    static List<String> references(Manifests m, Manifests secrets) {
        List<String> out = new ArrayList<>();
        Map<String, Set<String>> keys = new java.util.HashMap<>();
        for (Manifests source : List.of(m, secrets)) {
            source.ofKind("Secret").forEach(s -> {
                Set<String> names = new HashSet<>(Manifests.strings(s.path("data")).keySet());
                names.addAll(Manifests.strings(s.path("stringData")).keySet());
                keys.put(Manifests.name(s), names);
            });
        }
        for (Workload w : m.workloads()) {
            for (JsonNode c : w.containers()) {
                for (String value : m.environment(c).values()) {
                    if (value.startsWith("secret:") && !value.equals("secret:*")) {
                        String[] ref = value.substring("secret:".length()).split("/", 2);
                        if (!keys.getOrDefault(ref[0], Set.of()).contains(ref[1])) {
                            out.add(w + " reads " + ref[1] + " of Secret " + ref[0] + ", which has no such key");
                        }
                    }
                }
                for (JsonNode from : c.path("envFrom")) {
                    String secret = from.path("secretRef").path("name").asText(null);
                    if (secret != null && !keys.containsKey(secret)) {
                        out.add(w + " reads Secret " + secret + ", which is not made");
                    }
                }
            }
        }
        m.ofKind("TriggerAuthentication").forEach(t -> t.path("spec").path("secretTargetRef").forEach(ref -> {
            if (!keys.getOrDefault(ref.path("name").asText(), Set.of()).contains(ref.path("key").asText())) {
                out.add(Manifests.id(t) + " reads " + ref + ", which is not made");
            }
        }));
        Set<String> namespaces = new HashSet<>();
        m.objects().stream().filter(o -> !o.path("kind").asText().equals("Namespace"))
                .forEach(o -> namespaces.add(o.path("metadata").path("namespace").asText("<none>")));
        if (namespaces.size() != 1 || namespaces.contains("<none>")) {
            out.add("objects are in namespaces " + namespaces + ", not all in one");
        }
        return out;
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static List<String> texts(JsonNode array, String field) {
        return StreamSupport.stream(array.spliterator(), false).map(n -> n.path(field).asText()).toList();
    }

    private static String image(JsonNode container) {
        String image = container.path("image").asText();
        int tag = image.lastIndexOf(':');
        return tag > image.lastIndexOf('/') ? image.substring(0, tag) : image;
    }

    /** A Kubernetes quantity ({@code 500m}, {@code 2}, {@code 768Mi}, {@code 1G}) as a number. */
    static BigDecimal quantity(String text) {
        Map<String, BigDecimal> suffixes = Map.of(
                "m", new BigDecimal("0.001"), "k", BigDecimal.valueOf(1000), "M", BigDecimal.valueOf(1000_000),
                "G", BigDecimal.valueOf(1000_000_000), "Ki", BigDecimal.valueOf(1L << 10),
                "Mi", BigDecimal.valueOf(1L << 20), "Gi", BigDecimal.valueOf(1L << 30), "Ti", BigDecimal.valueOf(1L << 40));
        for (String suffix : List.of("Ki", "Mi", "Gi", "Ti", "m", "k", "M", "G")) {
            if (text.endsWith(suffix)) {
                return new BigDecimal(text.substring(0, text.length() - suffix.length())).multiply(suffixes.get(suffix));
            }
        }
        return new BigDecimal(text);
    }

    /** A Spring duration as these manifests write it: {@code 20s}, {@code 2m}, or plain milliseconds. */
    static Duration duration(String text) {
        if (text.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
        }
        if (text.endsWith("s")) {
            return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
        }
        if (text.endsWith("m")) {
            return Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1)));
        }
        return Duration.ofMillis(Long.parseLong(text));
    }
}
