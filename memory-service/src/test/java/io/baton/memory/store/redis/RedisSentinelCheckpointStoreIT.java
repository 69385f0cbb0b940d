package io.baton.memory.store.redis;

import static io.baton.memory.store.redis.RedisReplicaWait.onNode;
import static org.assertj.core.api.Assertions.assertThat;

import io.baton.common.redis.RedisSettings;
import io.baton.common.testing.RedisTestSentinel;
import io.baton.memory.MemoryProperties;
import io.baton.memory.store.DocumentKey;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shared store contract against a real primary with two replicas under three Sentinels
 * ({@link RedisTestSentinel}), through a {@code redis-sentinel://} URL and
 * {@code baton.redis.mode=sentinel}, as a deployment configures it; and that what the store writes
 * lands on the primary the Sentinels name and is replicated from there.
 */
class RedisSentinelCheckpointStoreIT extends RedisStoreContract {

    @RegisterExtension
    static final RedisTestSentinel sentinel = new RedisTestSentinel();

    @Override
    protected RedisSettings settings() {
        return settings(sentinel.url());
    }

    static RedisSettings settings(String url) {
        return new MemoryProperties.Redis(url, "sentinel", Duration.ofSeconds(10), true, RedisSettings.Tls.NONE).settings();
    }

    @Test
    void theStoreFollowsTheSentinelsToTheNewPrimaryAfterAFailover() throws InterruptedException {
        DocumentKey key = doc("failover");
        write(key, 0, 2);
        int before = sentinel.primaryPort();
        // both replicas have every acknowledged write before the failover starts: none may be lost
        Long acknowledged = onNode(before, node -> node.sync().waitForReplication(2, 10_000));
        assertThat(acknowledged).isEqualTo(2L);

        int after = sentinel.failover();

        assertThat(after).isNotEqualTo(before);
        assertThat(store.head(key).block().segment()).isEqualTo(2);
        assertThat(store.put(key, record(3, "c3")).block().created()).isTrue();
        assertThat(store.checkpoint(key, 3).block().stored()).isEqualTo(text("c3"));
        String head = onNode(after, node -> node.sync().hget("baton:{" + tenant + ":failover}:head", "segment"));
        assertThat(head).isEqualTo("3");
        String demoted = onNode(before, node -> node.sync().info("replication"));
        assertThat(demoted).contains("role:slave");
    }

    @Test
    void theStoreWritesToThePrimaryTheSentinelsName() {
        write(doc("on-primary"), 0, 2);

        String head = "baton:{" + tenant + ":on-primary}:head";
        int primary = sentinel.primaryPort();
        String role = onNode(primary, node -> node.sync().info("replication"));
        assertThat(role).contains("role:master", "connected_slaves:2");
        String segment = onNode(primary, node -> node.sync().hget(head, "segment"));
        assertThat(segment).isEqualTo("2");
        // WAIT: both replicas acknowledge what the primary has; then each holds the head too
        Long acknowledged = onNode(primary, node -> node.sync().waitForReplication(2, 10_000));
        assertThat(acknowledged).isEqualTo(2L);
        for (int port : sentinel.dataPorts()) {
            if (port != primary) {
                String replicaRole = onNode(port, node -> node.sync().info("replication"));
                assertThat(replicaRole).contains("role:slave");
                String replicated = onNode(port, node -> node.sync().hget(head, "segment"));
                assertThat(replicated).isEqualTo("2");
            }
        }
    }
}
