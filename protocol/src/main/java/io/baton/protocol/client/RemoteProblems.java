package io.baton.protocol.client;

import io.baton.protocol.problems.ServiceCallException;
import io.baton.protocol.BatonHeaders;
import io.baton.protocol.problems.ProblemType;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.web.reactive.function.client.ClientResponse;
import reactor.core.publisher.Mono;

/**
 * Another service's error answer read back into the catalogue: a problem detail whose {@code
 * type} is in it becomes a {@link ServiceCallException} of that type, with its detail and extra
 * members; an answer outside the catalogue (no problem body, an unknown type: a proxy or a load
 * balancer in between, a service of another version) becomes {@code unavailable} ({@code
 * memory-unavailable}, {@code inference-unavailable}; retried) for a 5xx, {@code rejected}
 * ({@code memory-rejected}, {@code inference-rejected}) otherwise. A refused credential ({@code
 * missing-credentials}, {@code invalid-credentials}: the caller's service token or client
 * certificate is not the called service's) is {@code rejected} too: it is the platform's
 * configuration that is wrong, and passed on as a 401 it would tell an end client that its own
 * API key was refused.
 */
public final class RemoteProblems {

    private static final ParameterizedTypeReference<Map<String, Object>> JSON_OBJECT = new ParameterizedTypeReference<>() {
    };
    private static final Set<String> STANDARD = Set.of("type", "title", "status", "detail", "instance",
            BatonHeaders.REQUEST_ID_MEMBER);

    private final Peer peer;

    public RemoteProblems(Peer peer) {
        this.peer = peer;
    }

    /** The failure {@code response} (not a 2xx) reports, as an error signal. */
    public <T> Mono<T> error(ClientResponse response, String what) {
        int status = response.statusCode().value();
        return response.bodyToMono(JSON_OBJECT).onErrorResume(e -> Mono.empty()).defaultIfEmpty(Map.of())
                .flatMap(body -> Mono.error(exception(status, body, what)));
    }

    /** The exception of an answer with {@code status} and problem {@code body} (may be empty). */
    public ServiceCallException exception(int status, Map<String, Object> body, String what) {
        ProblemType type = ProblemType.ofUri(Objects.toString(body.get("type"), null));
        if (type == ProblemType.MISSING_CREDENTIALS || type == ProblemType.INVALID_CREDENTIALS) {
            return new ServiceCallException(peer.rejected(), "the " + peer.service() + " refused this service's credential while "
                    + what + " (" + type.slug() + ": " + Objects.toString(body.get("detail"), "no detail")
                    + "); both need the same baton.service-token (BATON_SERVICE_TOKEN), or a client certificate "
                    + "the " + peer.service() + " trusts", Map.of(), null);
        }
        if (type != null) {
            Map<String, Object> extra = new HashMap<>(body);
            extra.keySet().removeAll(STANDARD);
            extra.values().removeIf(Objects::isNull);
            String detail = Objects.toString(body.get("detail"), "the " + peer.service() + " answered " + type.slug());
            return new ServiceCallException(type, detail, extra, null);
        }
        ProblemType outside = status >= 500 ? peer.unavailable() : peer.rejected();
        return new ServiceCallException(outside, "the " + peer.service() + " answered " + status + " while " + what
                + (body.isEmpty() ? "" : ": " + body), Map.of(), null);
    }
}
