package io.baton.deployment;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Whether the rendered NetworkPolicies let one endpoint open a connection to another, as the
 * NetworkPolicy API defines it: a pod selected by no policy of a direction is open in that direction;
 * a pod selected by some is closed except for what one of their rules allows; a connection needs the
 * source's egress and the destination's ingress alike. Only what k8s/ uses is evaluated (pod and
 * namespace selectors with matchLabels, numeric ports); an {@code ipBlock} or a named port is refused
 * rather than guessed.
 */
final class NetworkPolicies {

    /**
     * One end of a connection: a pod's labels and its namespace's labels. {@code inside} is true for the
     * pods the manifests deploy (in the policies' namespace), false for pods elsewhere (clients, Prometheus,
     * KEDA, DNS), which no rendered policy selects.
     */
    record Endpoint(String description, Map<String, String> namespaceLabels, Map<String, String> labels, boolean inside) {

        static Endpoint inside(String description, String namespace, Map<String, String> labels) {
            return new Endpoint(description, Map.of("kubernetes.io/metadata.name", namespace), labels, true);
        }

        static Endpoint outside(String description, String namespace, Map<String, String> labels) {
            return new Endpoint(description, Map.of("kubernetes.io/metadata.name", namespace), labels, false);
        }

        @Override
        public String toString() {
            return description;
        }
    }

    private final List<JsonNode> policies;

    NetworkPolicies(Manifests manifests) {
        this.policies = manifests.ofKind("NetworkPolicy").map(JsonNode.class::cast).toList();
    }

    /** Policies that select {@code pod} (every policy of k8s/ is in the pods' namespace). */
    List<JsonNode> selecting(Map<String, String> podLabels) {
        return policies.stream().filter(p -> Manifests.selects(p.path("spec").path("podSelector"), podLabels)).toList();
    }

    boolean allows(Endpoint from, Endpoint to, String protocol, int port) {
        return (!from.inside() || open(from, to, "Egress", "egress", "to", protocol, port))
                && (!to.inside() || open(to, from, "Ingress", "ingress", "from", protocol, port));
    }

    private boolean open(Endpoint pod, Endpoint peer, String type, String rulesField, String peersField,
                         String protocol, int port) {
        List<JsonNode> isolating = selecting(pod.labels()).stream().filter(p -> types(p).contains(type)).toList();
        if (isolating.isEmpty()) {
            return true;
        }
        for (JsonNode policy : isolating) {
            String namespace = policy.path("metadata").path("namespace").asText();
            for (JsonNode rule : policy.path("spec").path(rulesField)) {
                if (portMatches(rule.path("ports"), protocol, port) && peerMatches(rule.path(peersField), namespace, peer)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<String> types(JsonNode policy) {
        JsonNode types = policy.path("spec").path("policyTypes");
        if (types.isMissingNode()) {
            return policy.path("spec").has("egress") ? List.of("Ingress", "Egress") : List.of("Ingress");
        }
        return java.util.stream.StreamSupport.stream(types.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static boolean portMatches(JsonNode ports, String protocol, int port) {
        if (ports.isMissingNode() || ports.isEmpty()) {
            return true;
        }
        for (JsonNode p : ports) {
            if (p.has("endPort") || (p.has("port") && !p.path("port").isInt())) {
                throw new AssertionError("only numeric single ports are evaluated: " + p);
            }
            boolean protocolMatches = p.path("protocol").asText("TCP").equals(protocol);
            if (protocolMatches && (!p.has("port") || p.path("port").asInt() == port)) {
                return true;
            }
        }
        return false;
    }

    private static boolean peerMatches(JsonNode peers, String policyNamespace, Endpoint peer) {
        if (peers.isMissingNode() || peers.isEmpty()) {
            return true;
        }
        for (JsonNode p : peers) {
            if (p.has("ipBlock")) {
                throw new AssertionError("ipBlock peers are not evaluated: " + p);
            }
            boolean namespaceMatches = p.has("namespaceSelector")
                    ? Manifests.selects(p.path("namespaceSelector"), peer.namespaceLabels())
                    : policyNamespace.equals(peer.namespaceLabels().get("kubernetes.io/metadata.name"));
            boolean podMatches = !p.has("podSelector") || Manifests.selects(p.path("podSelector"), peer.labels());
            if (namespaceMatches && podMatches) {
                return true;
            }
        }
        return false;
    }
}
