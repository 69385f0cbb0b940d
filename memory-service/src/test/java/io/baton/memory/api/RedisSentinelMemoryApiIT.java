package io.baton.memory.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.baton.common.testing.RedisTestSentinel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link RedisTopologyMemoryApi} under Sentinel: {@code baton.redis.mode=sentinel} with a {@code
 * redis-sentinel://} URL naming three real Sentinels that watch a primary and two replicas ({@link
 * RedisTestSentinel}); last, a failover that loses checkpoints the primary acknowledged.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisSentinelMemoryApiIT extends RedisTopologyMemoryApi {

    @RegisterExtension
    static final RedisTestSentinel sentinel = new RedisTestSentinel();

    @Override
    protected Map<String, String> redisSettings() {
        return Map.of("baton.redis.mode", "sentinel", "baton.redis.url", sentinel.url());
    }

    /**
     * Redis replicates asynchronously (docs/state-store.md): the replicas are cut off ({@link
     * RedisTestSentinel#isolateReplicas}), the service, without {@code wait-replicas}, stores two more
     * checkpoints on the primary alone, the primary is killed and a replica that lacks them promoted.
     * The next checkpoint is then refused as a {@code checkpoint-conflict} whose {@code head} is the
     * checkpoint that survived and whose {@code expectedSegment} is the one after it (never accepted
     * on top of a state that is gone); the lost checkpoints are not found, the survivors read back as
     * written, and a writer continues from what survived. Last: it leaves a primary and one replica.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void checkpointsLostInAFailoverAreNamedByTheNextPutAndNeverBuiltOn() throws Exception {
        for (int n = 0; n <= 2; n++) {
            put("lost", n).expectStatus().isCreated();
        }
        List<Integer> replicas = sentinel.isolateReplicas();
        put("lost", 3).expectStatus().isCreated();   // acknowledged by the primary alone
        put("lost", 4).expectStatus().isCreated();
        int old = sentinel.primaryPort();
        assertThat(sentinel.crashPrimary(() -> sentinel.resumeReplicas(replicas))).isNotEqualTo(old);

        // Until the service has found the new primary its puts fail as store-unavailable (503); then
        // segment 5, which continues the lost 4, is refused and told where the document is.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                put("lost", 5).expectStatus().isEqualTo(409).expectBody()
                        .jsonPath("$.type").value(type -> assertThat((String) type).endsWith("checkpoint-conflict"))
                        .jsonPath("$.head.segment").isEqualTo(2)
                        .jsonPath("$.segment").isEqualTo(5)
                        .jsonPath("$.expectedSegment").isEqualTo(3));

        head("lost").expectStatus().isOk().expectBody().jsonPath("$.segment").isEqualTo(2).jsonPath("$.version").isEqualTo(3);
        for (int n = 0; n <= 2; n++) {
            assertThat(get("lost", n).expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody())
                    .isEqualTo(checkpoint("lost", n));
        }
        get("lost", 3).expectStatus().isNotFound();
        get("lost", 4).expectStatus().isNotFound();

        put("lost", 3).expectStatus().isCreated();
        put("lost", 4).expectStatus().isCreated();
        head("lost").expectStatus().isOk().expectBody().jsonPath("$.segment").isEqualTo(4).jsonPath("$.version").isEqualTo(5);
    }
}
