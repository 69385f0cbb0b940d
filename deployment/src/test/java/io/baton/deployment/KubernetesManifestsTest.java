package io.baton.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.baton.common.testing.TestServers;

/**
 * Renders every overlay of {@code k8s/overlays} (and the base, and the Secrets of {@code k8s/secrets} from
 * their example files) with {@code kubectl kustomize}, validates every object against the Kubernetes 1.32
 * API schema with unknown fields refused, and checks the platform's rules on the parsed objects. Without
 * kubectl it is skipped with one loud line, or fails under {@code CI=true}. The second half breaks a
 * copy of a rendered overlay in one place per rule and shows that the rule reports it.
 */
class KubernetesManifestsTest {

    private static final Path K8S = Path.of(System.getProperty("baton.k8s.dir", "../k8s")).toAbsolutePath().normalize();
    private static final Map<String, Manifests> OVERLAYS = new HashMap<>();
    private static Manifests base;
    private static Manifests userSecrets;

    @TempDir
    static Path temp;

    @BeforeAll
    static void render() throws IOException, InterruptedException {
        Path kubectl = Manifests.kubectl().orElseThrow(() -> TestServers.unavailable("KUBERNETES MANIFEST TESTS",
                "kubectl (with its built-in kustomize) is not on the PATH, so k8s/ cannot be rendered"));
        for (String overlay : overlays().toList()) {
            OVERLAYS.put(overlay, Manifests.render(kubectl, overlay, K8S.resolve("overlays").resolve(overlay)));
        }
        base = Manifests.render(kubectl, "base", K8S.resolve("base"));
        userSecrets = Manifests.render(kubectl, "secrets", secretsFromTheirExamples());
    }

    /** k8s/secrets as a user sets it up: each *.env.example copied to its *.env, in a folder of the test's own. */
    private static Path secretsFromTheirExamples() throws IOException {
        Path dir = Files.createDirectories(temp.resolve("secrets"));
        try (Stream<Path> files = Files.list(K8S.resolve("secrets"))) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(".env")) {
                    continue;
                }
                Files.copy(file, dir.resolve(name));
                if (name.endsWith(".env.example")) {
                    Files.copy(file, dir.resolve(name.substring(0, name.length() - ".example".length())));
                }
            }
        }
        return dir;
    }

    /** Every folder of k8s/overlays: a new overlay is checked without being named here. */
    static Stream<String> overlays() throws IOException {
        try (Stream<Path> dirs = Files.list(K8S.resolve("overlays"))) {
            return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString())
                    .sorted(Comparator.naturalOrder()).toList().stream();
        }
    }

    @Test
    void theOverlaysAUserNeedsAreThere() throws IOException {
        assertThat(overlays()).contains("cpu", "gpu", "dev");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyRenderedObjectIsValidAgainstTheKubernetesApiSchema(String overlay) {
        Manifests m = OVERLAYS.get(overlay);
        assertThat(m.objects()).hasSizeGreaterThan(20);
        assertThat(ApiSchema.violations(m.objects())).isEmpty();
    }

    @Test
    void theBaseAndTheUsersSecretsAreValidToo() {
        assertThat(ApiSchema.violations(base.objects())).isEmpty();
        assertThat(userSecrets.ofKind("Secret").map(Manifests::name))
                .containsExactlyInAnyOrder("baton-service-token", "baton-api-keys", "baton-redis", "baton-rabbitmq");
        assertThat(ApiSchema.violations(userSecrets.objects())).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyContainerHasTheThreeProbesRequestsLimitsAndALockedDownSecurityContext(String overlay) {
        Manifests m = OVERLAYS.get(overlay);
        assertThat(ManifestRules.probes(m)).isEmpty();
        assertThat(ManifestRules.inferenceStartsSlowly(m)).isEmpty();
        assertThat(ManifestRules.resources(m)).isEmpty();
        assertThat(ManifestRules.securityContexts(m)).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void aRollingUpdateShutsDownGracefullyAndPodsSpreadOverNodes(String overlay) {
        Manifests m = OVERLAYS.get(overlay);
        assertThat(m.batonDeployments()).extracting(Manifests.Workload::name)
                .containsExactlyInAnyOrder("memory", "inference", "gateway", "gateway-jobs");
        assertThat(ManifestRules.gracefulShutdown(m)).isEmpty();
        assertThat(ManifestRules.topologySpread(m)).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void onlyInferenceAsksForAGpuAndOnlyInTheGpuOverlay(String overlay) {
        assertThat(ManifestRules.gpu(OVERLAYS.get(overlay))).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyDeploymentOfMoreThanOnePodHasADisruptionBudget(String overlay) {
        assertThat(ManifestRules.disruptionBudgets(OVERLAYS.get(overlay))).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyPodIsSelectedByANetworkPolicyAndOnlyTheArchitecturesPathsAreOpen(String overlay) {
        Manifests m = OVERLAYS.get(overlay);
        assertThat(ManifestRules.everyPodHasANetworkPolicy(m)).isEmpty();
        assertThat(ManifestRules.networkPaths(m)).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void jobConsumersAutoscalingServicesAndMetricsAreWired(String overlay) {
        Manifests m = OVERLAYS.get(overlay);
        assertThat(ManifestRules.jobConsumers(m)).isEmpty();
        assertThat(ManifestRules.autoscaling(m)).isEmpty();
        assertThat(ManifestRules.serviceMonitor(m)).isEmpty();
        assertThat(ManifestRules.services(m)).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everySecretAndKeyReadIsMadeAndEverythingIsInOneNamespace(String overlay) {
        Manifests m = OVERLAYS.get(overlay);
        // dev makes throwaway Secrets itself; the others read those a user makes from k8s/secrets.
        Manifests secrets = overlay.equals("dev") ? m : userSecrets;
        assertThat(ManifestRules.references(m, secrets)).isEmpty();
        if (!overlay.equals("dev")) {
            assertThat(m.ofKind("Secret")).as("a production overlay commits no secret value").isEmpty();
        }
    }

    // What follows breaks one thing in a copy of an overlay and shows that the rule reports it.

    @Test
    void theSchemaCheckRefusesAnUnknownFieldAMisplacedOneAndAMissingRequiredOne() {
        assertBroken("cpu", m -> container(m, "Deployment", "memory").withObject("/livenessProbe/httpGet")
                .put("paht", "/actuator/health/liveness"), m -> ApiSchema.violations(m.objects()), "paht");
        assertBroken("cpu", m -> m.get("Deployment", "inference").withObject("/spec").put("replica", 3),
                m -> ApiSchema.violations(m.objects()), "replica");
        assertBroken("cpu", m -> container(m, "StatefulSet", "redis").remove("name"),
                m -> ApiSchema.violations(m.objects()), "name");
        assertBroken("cpu", m -> m.get("HorizontalPodAutoscaler", "memory").put("apiVersion", "autoscaling/v1"),
                m -> ApiSchema.violations(m.objects()), "HorizontalPodAutoscaler");
        assertBroken("gpu", m -> m.get("Deployment", "inference").withObject("/spec/template/spec")
                .withArray("tolerations").addObject().put("key", GPU).put("efect", "NoSchedule"),
                m -> ApiSchema.violations(m.objects()), "efect");
    }

    private static final String GPU = ManifestRules.GPU;

    @Test
    void theContainerRulesReportAMissingProbeLimitOrLock() {
        assertBroken("cpu", m -> container(m, "Deployment", "memory").remove("readinessProbe"),
                ManifestRules::probes, "Deployment/memory container memory has no readinessProbe");
        assertBroken("cpu", m -> container(m, "Deployment", "gateway").withObject("/livenessProbe/httpGet")
                .put("path", "/actuator/health"), ManifestRules::probes, "livenessProbe is not GET");
        assertBroken("cpu", m -> container(m, "Deployment", "inference").withObject("/readinessProbe/httpGet")
                .put("port", 8080), ManifestRules::probes, "not the service's 8081");
        assertBroken("cpu", m -> container(m, "Deployment", "inference").withObject("/startupProbe")
                .put("failureThreshold", 6), ManifestRules::inferenceStartsSlowly, "gives up after 60 s");
        assertBroken("cpu", m -> container(m, "StatefulSet", "redis").withObject("/resources/limits").remove("memory"),
                ManifestRules::resources, "StatefulSet/redis container redis lacks a memory request or limit");
        assertBroken("dev", m -> container(m, "Deployment", "memory").withObject("/resources/requests")
                .put("cpu", "3"), ManifestRules::resources, "requests more cpu than its limit");
        assertBroken("cpu", m -> container(m, "Deployment", "gateway").withObject("/securityContext")
                .put("readOnlyRootFilesystem", false), ManifestRules::securityContexts, "writable root filesystem");
        assertBroken("cpu", m -> container(m, "StatefulSet", "rabbitmq").withObject("/securityContext")
                .remove("allowPrivilegeEscalation"), ManifestRules::securityContexts, "allows privilege escalation");
        assertBroken("cpu", m -> container(m, "Deployment", "gateway-jobs").withObject("/securityContext/capabilities")
                .putArray("drop").add("NET_RAW"), ManifestRules::securityContexts, "does not drop all capabilities");
        assertBroken("cpu", m -> container(m, "Deployment", "inference").withObject("/securityContext/seccompProfile")
                .put("type", "Unconfined"), ManifestRules::securityContexts, "'Unconfined'");
        assertBroken("cpu", m -> {
            m.get("Deployment", "memory").withObject("/spec/template/spec/securityContext").remove("runAsNonRoot");
            container(m, "Deployment", "memory").withObject("/securityContext").remove("runAsNonRoot");
        }, ManifestRules::securityContexts, "may run as root");
        assertBroken("cpu", m -> ((ArrayNode) container(m, "Deployment", "memory").get("volumeMounts")).removeAll(),
                ManifestRules::securityContexts, "no emptyDir at /tmp");
    }

    @Test
    void theShutdownAndSpreadRulesReportAShortGracePeriodAMissingSleepOrSpread() {
        assertBroken("cpu", m -> m.get("Deployment", "gateway").withObject("/spec/template/spec")
                .put("terminationGracePeriodSeconds", 30), ManifestRules::gracefulShutdown, "is not longer than preStop");
        assertBroken("cpu", m -> container(m, "Deployment", "inference").remove("lifecycle"),
                ManifestRules::gracefulShutdown, "has no preStop sleep");
        assertBroken("cpu", m -> m.get("Deployment", "memory").withObject("/spec/strategy/rollingUpdate")
                .put("maxUnavailable", 1), ManifestRules::gracefulShutdown, "may take a pod away");
        assertBroken("cpu", m -> m.get("Deployment", "memory").withObject("/spec/template/spec")
                .remove("topologySpreadConstraints"), ManifestRules::topologySpread, "no topology spread over nodes");
    }

    @Test
    void theGpuRuleReportsAGpuAnywhereButInferenceOfTheGpuOverlay() {
        assertBroken("gpu", m -> container(m, "Deployment", "memory").withObject("/resources/limits").put(GPU, "1"),
                ManifestRules::gpu, "Deployment/memory container memory asks for a GPU in overlay gpu");
        assertBroken("cpu", m -> container(m, "Deployment", "inference").withObject("/resources/limits").put(GPU, "1"),
                ManifestRules::gpu, "Deployment/inference container inference asks for a GPU in overlay cpu");
        assertBroken("gpu", m -> m.get("Deployment", "inference").withObject("/spec/template/spec").remove("tolerations"),
                ManifestRules::gpu, "does not tolerate");
        assertBroken("gpu", m -> container(m, "Deployment", "inference").put("image", "baton/inference-service:1"),
                ManifestRules::gpu, "does not run the CUDA image");
    }

    @Test
    void theDisruptionBudgetRuleReportsAReplicatedDeploymentWithoutOne() {
        assertBroken("cpu", m -> m.objects().remove(m.get("PodDisruptionBudget", "memory")),
                ManifestRules::disruptionBudgets, "Deployment/memory runs up to 6 pods");
        // A budget that selects every gateway is not gateway-jobs' own.
        assertBroken("cpu", m -> {
            m.objects().remove(m.get("PodDisruptionBudget", "gateway-jobs"));
            m.get("PodDisruptionBudget", "gateway").withObject("/spec/selector/matchLabels")
                    .remove("app.kubernetes.io/component");
        }, ManifestRules::disruptionBudgets, "Deployment/gateway-jobs");
    }

    @Test
    void theNetworkRulesReportAMissingDenyAPodWithoutPolicyANeededPathClosedAndAnExtraOneOpen() {
        assertBroken("cpu", m -> m.objects().remove(m.get("NetworkPolicy", "default-deny")),
                ManifestRules::everyPodHasANetworkPolicy, "no default-deny");
        assertBroken("cpu", m -> m.objects().remove(m.get("NetworkPolicy", "redis")),
                ManifestRules::everyPodHasANetworkPolicy, "StatefulSet/redis is selected by no NetworkPolicy");
        assertBroken("cpu", m -> ((ArrayNode) m.get("NetworkPolicy", "memory").at("/spec/egress")).removeAll(),
                ManifestRules::networkPaths, "needed path denied: memory->redis:6379");
        // Both ends must let a connection through: inference's egress alone opens nothing.
        assertThat(ManifestRules.networkPaths(broken("cpu", m -> ((ArrayNode) m.get("NetworkPolicy", "inference")
                .at("/spec/egress")).addObject().putArray("to").addObject().putObject("podSelector")
                .putObject("matchLabels").put("app.kubernetes.io/name", "redis")))).isEmpty();
        assertBroken("cpu", m -> {
            ((ArrayNode) m.get("NetworkPolicy", "inference").at("/spec/egress")).addObject().putArray("to").addObject()
                    .putObject("podSelector").putObject("matchLabels").put("app.kubernetes.io/name", "redis");
            ((ArrayNode) m.get("NetworkPolicy", "redis").at("/spec/ingress/0/from")).addObject()
                    .putObject("podSelector").putObject("matchLabels").put("app.kubernetes.io/name", "inference");
        }, ManifestRules::networkPaths, "path allowed that the architecture does not need: inference->redis:6379");
        assertBroken("cpu", m -> ((ArrayNode) m.get("NetworkPolicy", "redis").at("/spec/ingress/0/from")).removeAll(),
                ManifestRules::networkPaths, "path allowed that the architecture does not need: a client->redis:6379");
        assertBroken("cpu", m -> ((ObjectNode) m.get("NetworkPolicy", "gateway-egress").at("/spec")).remove("egress"),
                ManifestRules::networkPaths, "needed path denied: gateway->inference:8081");
        assertBroken("cpu", m -> m.objects().remove(m.get("NetworkPolicy", "dns")),
                ManifestRules::networkPaths, "cannot resolve names");
    }

    @Test
    void theJobsScalingServiceAndMetricsRulesReportMiswiring() {
        assertBroken("cpu", m -> env(container(m, "Deployment", "gateway"), "BATON_JOBS_CONSUMERS").put("value", "2"),
                ManifestRules::jobConsumers, "the API gateway runs job consumers");
        assertBroken("cpu", m -> m.get("Service", "gateway-jobs-metrics").withObject("/spec").remove("clusterIP"),
                ManifestRules::jobConsumers, "Service gateway-jobs-metrics exposes gateway-jobs");
        assertBroken("cpu", m -> m.get("ScaledObject", "gateway-jobs").withObject("/spec/triggers/0/metadata")
                .put("queueName", "baton.jobs"), ManifestRules::autoscaling, "does not read baton.jobs.requests");
        assertBroken("gpu", m -> m.get("ScaledObject", "inference").withObject("/spec/triggers/0/metadata")
                .put("query", "avg(rate(process_cpu_usage[1m]))"), ManifestRules::autoscaling, "step=\"queue\"");
        assertBroken("cpu", m -> m.get("HorizontalPodAutoscaler", "gateway").withObject("/spec/scaleTargetRef")
                .put("name", "inference"), ManifestRules::autoscaling, "inference has more than one autoscaler");
        assertBroken("gpu", m -> m.get("Deployment", "inference").withObject("/spec").put("replicas", 2),
                ManifestRules::autoscaling, "Deployment/inference sets replicas");
        assertBroken("cpu", m -> m.get("Service", "memory").withObject("/spec/ports/0").put("targetPort", "metrics"),
                ManifestRules::services, "Service memory targets port \"metrics\"");
        assertBroken("dev", m -> m.get("Service", "redis").withObject("/spec/selector")
                .put("app.kubernetes.io/name", "redis-server"), ManifestRules::services, "Service redis selects no");
        assertBroken("cpu", m -> m.get("ServiceMonitor", "baton").withObject("/spec/endpoints/0")
                .put("path", "/metrics"), ManifestRules::serviceMonitor, "is scraped by no ServiceMonitor");
        assertBroken("cpu", m -> m.get("Service", "gateway-jobs-metrics").withObject("/metadata/labels")
                .remove("baton.io/metrics"), ManifestRules::serviceMonitor, "Deployment/gateway-jobs is scraped by no");
    }

    @Test
    void theReferenceRuleReportsASecretKeyNobodyMakes() {
        assertBroken("cpu", m -> env(container(m, "Deployment", "memory"), "BATON_SERVICE_TOKEN")
                .withObject("/valueFrom/secretKeyRef").put("key", "token"),
                m -> ManifestRules.references(m, userSecrets), "reads token of Secret baton-service-token");
        assertBroken("cpu", m -> m.get("TriggerAuthentication", "rabbitmq").withObject("/spec/secretTargetRef/0")
                .put("key", "host"), m -> ManifestRules.references(m, userSecrets), "TriggerAuthentication/rabbitmq");
        assertBroken("cpu", m -> m.get("Service", "redis").withObject("/metadata").remove("namespace"),
                m -> ManifestRules.references(m, userSecrets), "not all in one");
    }

    /** Breaks a copy of {@code overlay} with {@code breakIt}: the rule passed on the original and names the break. */
    private static void assertBroken(String overlay, Consumer<Manifests> breakIt, Function<Manifests, List<String>> rule,
                                     String expected) {
        Manifests original = OVERLAYS.get(overlay);
        assertThat(rule.apply(original)).as("the rule passes on overlay %s as rendered", overlay).isEmpty();
        assertThat(rule.apply(broken(overlay, breakIt))).as("what the rule reports on the broken copy").anyMatch(v -> v.contains(expected));
    }

    private static Manifests broken(String overlay, Consumer<Manifests> breakIt) {
        Manifests broken = new Manifests(overlay, new ArrayList<>(OVERLAYS.get(overlay).copy().objects()));
        breakIt.accept(broken);
        return broken;
    }

    private static ObjectNode container(Manifests m, String kind, String name) {
        return (ObjectNode) m.get(kind, name).at("/spec/template/spec/containers/0");
    }

    private static ObjectNode env(ObjectNode container, String name) {
        for (JsonNode variable : container.path("env")) {
            if (variable.path("name").asText().equals(name)) {
                return (ObjectNode) variable;
            }
        }
        throw new AssertionError("no " + name + " in " + container.path("name").asText());
    }
}
