package io.baton.protocol.access;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.http.server.RequestPath;

/** The paths the API-key and credential filters guard: {@code /v1} as the router sees it. */
class ApiPathsTest {

    static boolean isApi(String rawPath) {
        return ApiPaths.isApi(RequestPath.parse(rawPath, null));
    }

    @Test
    void onlyTheApiIsGuarded() {
        assertThat(isApi("/v1/summaries")).isTrue();
        assertThat(isApi("/v1")).isTrue();
        assertThat(isApi("/v1/documents/d/append")).isTrue();
        assertThat(isApi("/")).isFalse();
        assertThat(isApi("/index.html")).isFalse();
        assertThat(isApi("/v3/api-docs")).isFalse();
        assertThat(isApi("/actuator/health")).isFalse();
        assertThat(isApi("/v10/x")).isFalse();
    }

    @Test
    void writingThePathAnotherWayDoesNotGetPastTheGuard() {
        assertThat(isApi("/v1;x=1/summaries")).as("a path parameter").isTrue();
        assertThat(isApi("/%76%31/summaries")).as("percent-encoded").isTrue();
        assertThat(isApi("/%76%31;jsessionid=1/documents")).as("both").isTrue();
        assertThat(isApi("//v1/summaries")).as("an empty first segment").isTrue();
        assertThat(isApi("/v1/")).isTrue();
    }
}
