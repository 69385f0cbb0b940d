package io.baton.memory.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.common.redis.RedisSettings;
import io.baton.common.testing.RedisTestCluster;
import io.baton.memory.MemoryProperties;
import io.baton.memory.store.DocumentKey;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shared store contract against a real Redis Cluster of six nodes, three primaries and three
 * replicas ({@link RedisTestCluster}), through {@code baton.redis.mode=cluster} with three seed
 * nodes, as a deployment configures it; and, read from each primary, that documents spread over
 * the primaries while each document's keys stay on one.
 */
class RedisClusterCheckpointStoreIT extends RedisStoreContract {

    @RegisterExtension
    static final RedisTestCluster cluster = new RedisTestCluster();

    @Override
    protected RedisSettings settings() {
        return settings(cluster.seeds());
    }

    static RedisSettings settings(String seeds) {
        return new MemoryProperties.Redis(seeds, "cluster", Duration.ofSeconds(10), true, RedisSettings.Tls.NONE).settings();
    }

    @Test
    void documentsSpreadOverThePrimariesAndEachDocumentsKeysStayOnOne() {
        int documents = 24;
        for (int i = 0; i < documents; i++) {
            write(doc("spread-" + i), 0, 3);
        }

        Map<String, Set<Integer>> nodesOfDocument = new HashMap<>();
        Map<Integer, Integer> keysOnNode = new HashMap<>();
        List<Integer> primaries = cluster.primaryPorts();
        assertThat(primaries).hasSize(3);
        for (int port : primaries) {
            for (String key : keysOn(port, "baton:{" + tenant + ":spread-*")) {
                String document = key.substring(key.indexOf(':', "baton:{".length()) + 1, key.indexOf('}'));
                nodesOfDocument.computeIfAbsent(document, d -> new HashSet<>()).add(port);
                keysOnNode.merge(port, 1, Integer::sum);
            }
        }
        // head and the 3 kept checkpoints of every document, each document on exactly one primary
        assertThat(nodesOfDocument).hasSize(documents);
        assertThat(nodesOfDocument.values()).allSatisfy(nodes -> assertThat(nodes).hasSize(1));
        assertThat(keysOnNode.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(documents * 4);
        assertThat(keysOnNode.keySet()).as("primaries holding documents").containsExactlyInAnyOrderElementsOf(primaries);
        assertThat(listAll(store, tenant, 7)).hasSize(documents);
        for (int i = 0; i < documents; i++) {
            assertThat(store.checkpoint(new DocumentKey(tenant, "spread-" + i), 3).block().stored()).isEqualTo(text("c3"));
        }
    }

    /** The keys matching {@code pattern} that the node itself holds (SCAN on one node). */
    private static List<String> keysOn(int port, String pattern) {
        return RedisReplicaWait.onNode(port, node -> {
            List<String> keys = new ArrayList<>();
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> step = node.sync().scan(cursor, ScanArgs.Builder.matches(pattern).limit(1000));
                keys.addAll(step.getKeys());
                cursor = step;
            } while (!cursor.isFinished());
            return keys;
        });
    }
}
