package io.baton.protocol.problems;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The catalogue's own rules: what every service and client relies on when they read it. */
class ProblemTypeTest {

    @ParameterizedTest
    @EnumSource(ProblemType.class)
    void eachTypeIsAStableSlugWithAnErrorStatus(ProblemType type) {
        assertThat(type.slug()).matches("[a-z0-9]+(-[a-z0-9]+)*");
        assertThat(type.uri()).isEqualTo("urn:baton:problem:" + type.slug());
        assertThat(ProblemType.ofUri(type.uri())).isSameAs(type);
        assertThat(ProblemType.ofSlug(type.slug())).isSameAs(type);
        assertThat(type.status()).isBetween(400, 599);
    }

    @ParameterizedTest
    @EnumSource(ProblemType.class)
    void aDetailThatIsNotPublicHasATextThatIs(ProblemType type) {
        if (type.publicDetail()) {
            assertThat(type.publicText()).isNull();
        } else {
            assertThat(type.publicText()).isNotBlank().doesNotContain("http://", "/v1/documents/{");
        }
    }

    @Test
    void slugsAreUnique() {
        Set<String> slugs = Arrays.stream(ProblemType.values()).map(ProblemType::slug).collect(Collectors.toSet());
        assertThat(slugs).hasSize(ProblemType.values().length);
    }

    @Test
    void onlyAnUnavailableServiceIsRetryableNeverATenantsRefusal() {
        Set<ProblemType> retryable = EnumSet.noneOf(ProblemType.class);
        Arrays.stream(ProblemType.values()).filter(ProblemType::retryable).forEach(retryable::add);
        assertThat(retryable).containsExactlyInAnyOrder(ProblemType.INTERNAL_ERROR, ProblemType.INFERENCE_UNAVAILABLE,
                ProblemType.MEMORY_UNAVAILABLE, ProblemType.STORE_UNAVAILABLE, ProblemType.ONNX_RUNTIME, ProblemType.SERVICE_BUSY,
                ProblemType.JOB_STORE_UNAVAILABLE, ProblemType.REPLICATION_TIMEOUT);
        assertThat(retryable).allSatisfy(type -> assertThat(type.status()).isGreaterThanOrEqualTo(500));
        assertThat(ProblemType.QUOTA_EXCEEDED.retryable()).isFalse();
        assertThat(ProblemType.CHECKPOINT_CONFLICT.retryable()).isFalse();
        assertThat(ProblemType.TENANT_BUSY.retryable()).isFalse();
        assertThat(ProblemType.RATE_LIMITED.retryable()).isFalse();
    }

    @Test
    void unknownTypesAreNotInTheCatalogue() {
        assertThat(ProblemType.ofUri("urn:baton:problem:no-such-thing")).isNull();
        assertThat(ProblemType.ofUri("about:blank")).isNull();
        assertThat(ProblemType.ofUri(null)).isNull();
    }
}
