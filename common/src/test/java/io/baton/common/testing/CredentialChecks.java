package io.baton.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * What every service that requires the service token answers a caller without it, checked the same
 * way for memory and inference: each route of theirs, sent with the headers a case adds.
 */
public final class CredentialChecks {

    /** The tenant header's name ({@code X-Baton-Tenant}; common's tests do not see the protocol). */
    private static final String TENANT_HEADER = "X-Baton-Tenant";

    /** A route sent with the headers a case adds. */
    @FunctionalInterface
    public interface Route {
        WebTestClient.ResponseSpec send(UnaryOperator<WebTestClient.RequestBodySpec> headers);
    }

    private CredentialChecks() {
    }

    /**
     * The route at {@code path} is a 401 problem with a Bearer challenge without a token, with a
     * tenant header alone (anybody can write one), with another token and with another scheme; the
     * detail never repeats the token.
     */
    public static void refusedWithoutTheToken(String path, Route route, String tenant, String token) {
        unauthorized(path, route, r -> r, "missing-credentials", token);
        unauthorized(path, route, r -> r.header(TENANT_HEADER, tenant), "missing-credentials", token);
        unauthorized(path, route, r -> r.header(TENANT_HEADER, tenant)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + UUID.randomUUID()), "invalid-credentials", token);
        unauthorized(path, route, r -> r.header(TENANT_HEADER, tenant)
                .header(HttpHeaders.AUTHORIZATION, "Basic " + token), "invalid-credentials", token);
    }

    private static void unauthorized(String path, Route route, UnaryOperator<WebTestClient.RequestBodySpec> headers,
                                     String type, String token) {
        Map<String, Object> problem = route.send(headers)
                .expectStatus().isUnauthorized()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader().valueMatches(HttpHeaders.WWW_AUTHENTICATE, "Bearer.*")
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
                }).returnResult().getResponseBody();
        assertThat(problem).containsEntry("type", "urn:baton:problem:" + type).containsEntry("status", 401)
                .containsEntry("instance", path);
        assertThat(String.valueOf(problem.get("detail"))).doesNotContain(token);
    }
}
