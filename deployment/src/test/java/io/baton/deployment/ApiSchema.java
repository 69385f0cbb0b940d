package io.baton.deployment;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;

/**
 * Offline validation of rendered objects against the Kubernetes 1.32 API schema, through the models
 * the Kubernetes Java client generates from that version's OpenAPI description
 * ({@code io.kubernetes:client-java-api} 23.x): each model's {@code validateJsonElement} refuses a field
 * its schema does not define and a missing required field, recursively. The model of an object is
 * named by its version and kind ({@code apps/v1 Deployment}: {@code V1Deployment}); a kind without a
 * model is refused, except the custom resources below, which no Kubernetes schema describes (the test
 * checks what they must say instead; docs/deployment.md says what is not validated).
 */
final class ApiSchema {

    /** Custom resources of KEDA and the Prometheus Operator: not part of the Kubernetes API. */
    static final Set<String> CUSTOM_RESOURCES = Set.of(
            "keda.sh/v1alpha1/ScaledObject", "keda.sh/v1alpha1/TriggerAuthentication",
            "monitoring.coreos.com/v1/ServiceMonitor", "monitoring.coreos.com/v1/PrometheusRule");

    /**
     * The group and version of each built-in kind k8s/ may use: a model is named by version and kind
     * only, so the group is checked here (a {@code v1 Deployment} would find {@code V1Deployment}).
     */
    private static final Map<String, String> API_VERSIONS = Map.of(
            "Namespace", "v1", "ConfigMap", "v1", "Secret", "v1", "Service", "v1", "ServiceAccount", "v1",
            "Deployment", "apps/v1", "StatefulSet", "apps/v1",
            "PodDisruptionBudget", "policy/v1", "NetworkPolicy", "networking.k8s.io/v1",
            "HorizontalPodAutoscaler", "autoscaling/v2");

    private ApiSchema() {
    }

    /** Every problem of {@code objects}: an empty list means all were valid. */
    static List<String> violations(List<ObjectNode> objects) {
        List<String> out = new ArrayList<>();
        for (ObjectNode object : objects) {
            String problem = validate(object);
            if (problem != null) {
                out.add(Manifests.id(object) + ": " + problem);
            }
        }
        return out;
    }

    /** The problem of one object, or null when it is valid. */
    static String validate(JsonNode object) {
        String apiVersion = object.path("apiVersion").asText();
        String kind = object.path("kind").asText();
        if (CUSTOM_RESOURCES.contains(apiVersion + "/" + kind)) {
            return null;
        }
        if (!apiVersion.equals(API_VERSIONS.get(kind))) {
            return kind + " of " + apiVersion + " is not a kind of the Kubernetes API this check knows (kinds: "
                    + new java.util.TreeMap<>(API_VERSIONS) + ")";
        }
        String version = apiVersion.substring(apiVersion.lastIndexOf('/') + 1);
        String model = "io.kubernetes.client.openapi.models." + Character.toUpperCase(version.charAt(0))
                + version.substring(1) + kind;
        Method validate;
        try {
            validate = Class.forName(model).getMethod("validateJsonElement", JsonElement.class);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            return "no " + apiVersion + " " + kind + " in the Kubernetes 1.32 API";
        }
        try {
            validate.invoke(null, JsonParser.parseString(object.toString()));
            return null;
        } catch (InvocationTargetException e) {
            return e.getCause().getMessage();
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
