package io.baton.memory.store.redis;

import static io.baton.memory.store.redis.RedisReplicaWait.onNode;
import static io.baton.memory.store.redis.RedisReplicaWait.pause;
import static io.baton.memory.store.redis.RedisReplicaWait.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.baton.common.redis.RedisConnection;
import io.baton.common.testing.RedisTestCluster;
import io.baton.memory.store.DocumentKey;
import io.baton.memory.store.PutResult;
import io.baton.memory.store.ReplicationTimeoutException;
import io.baton.memory.store.StorePolicy;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code baton.redis.wait-replicas} on a real six-node Redis Cluster: the {@code WAIT} goes to the
 * primary holding the document's slot (the one that ran the put), not to whichever node a keyless
 * command would reach. With that primary's one replica paused, a put of one of its documents fails
 * as {@code replication-timeout} while puts of documents on the other primaries succeed; once the
 * replica runs again, the same put is an idempotent success and the replica holds it. Forks and
 * deletes wait at the primary of their document's slot the same way.
 */
class RedisClusterReplicaWaitIT {

    @RegisterExtension
    static final RedisTestCluster cluster = new RedisTestCluster();

    private static final StorePolicy POLICY = new StorePolicy(3, Duration.ofHours(1), 0);
    private static final Pattern REPLICA_PORT = Pattern.compile("slave0:ip=[^,]+,port=([0-9]+)");

    private static RedisConnection connection;
    private final String tenant = "t-" + UUID.randomUUID().toString().substring(0, 13);

    @BeforeAll
    static void connect() {
        connection = RedisConnection.open(RedisClusterCheckpointStoreIT.settings(cluster.seeds()));
    }

    @AfterAll
    static void disconnect() {
        if (connection != null) {
            connection.close();
        }
    }

    /**
     * Every primary has its replica connected and acknowledging: a replica another test paused
     * reconnects some seconds after it runs again, and until then a write on its primary that waits
     * for one replica cannot get it.
     */
    @BeforeEach
    void everyPrimaryHasItsReplica() {
        for (int primary : cluster.primaryPorts()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> onNode(primary,
                    node -> node.sync().waitForReplication(1, 1_000)) >= 1);
        }
    }

    private String headKey(String document) {
        return "baton:{" + tenant + ":" + document + "}:head";
    }

    @Test
    void theWaitGoesToThePrimaryOfTheDocumentsSlot() throws Exception {
        // one document on each primary, segment 0 written without waiting
        Map<Integer, String> documentOf = new LinkedHashMap<>();
        try (RedisCheckpointStore plain = new RedisCheckpointStore(connection, POLICY)) {
            for (int i = 0; documentOf.size() < cluster.primaryPorts().size() && i < 200; i++) {
                String document = "d" + i;
                int primary = primaryOf(document);
                if (!documentOf.containsKey(primary)) {
                    assertThat(plain.put(new DocumentKey(tenant, document), record(0, "c0")).block().created()).isTrue();
                    documentOf.put(primary, document);
                }
            }
        }
        assertThat(documentOf).hasSize(3);

        try (RedisCheckpointStore waiting = new RedisCheckpointStore(connection, POLICY,
                new ReplicaWait(1, Duration.ofMillis(500)))) {
            for (int primary : documentOf.keySet()) {
                int replica = replicaOf(primary);
                try (AutoCloseable ignored = pause(replica)) {
                    for (Map.Entry<Integer, String> entry : documentOf.entrySet()) {
                        DocumentKey key = new DocumentKey(tenant, entry.getValue());
                        long next = waiting.head(key).block().segment() + 1;
                        if (entry.getKey() == primary) {
                            assertThatThrownBy(() -> waiting.put(key, record(next, "c" + next)).block())
                                    .as("put of %s on primary %d, its replica %d paused", key.document(), primary, replica)
                                    .isInstanceOfSatisfying(ReplicationTimeoutException.class, e -> assertThat(
                                            e.getMessage()).contains("0 of the 1 replicas"));
                        } else {
                            assertThat(waiting.put(key, record(next, "c" + next)).block().created())
                                    .as("put of %s on primary %d, another primary's replica paused", key.document(),
                                            entry.getKey()).isTrue();
                        }
                    }
                }
                // running again: the refused put once more is idempotent, acknowledged, and on the replica
                DocumentKey key = new DocumentKey(tenant, documentOf.get(primary));
                long head = waiting.head(key).block().segment();
                PutResult again = waiting.put(key, record(head, "c" + head)).block();
                assertThat(again.created()).isFalse();
                String onReplica = onNode(replica, node -> {
                    node.sync().readOnly();
                    return node.sync().hget(headKey(key.document()), "segment");
                });
                assertThat(onReplica).isEqualTo(Long.toString(head));
            }
        }
    }

    @Test
    void aForkOrADeleteWaitsAtThePrimaryOfItsDocumentsSlot() throws Exception {
        // a document on each of two primaries; the first primary's replica will be paused
        Map<Integer, String> documentOf = new LinkedHashMap<>();
        for (int i = 0; documentOf.size() < 2 && i < 200; i++) {
            documentOf.putIfAbsent(primaryOf("f" + i), "f" + i);
        }
        assertThat(documentOf).hasSize(2);
        int pausedPrimary = documentOf.keySet().iterator().next();
        DocumentKey source = new DocumentKey(tenant, "fork-source");
        try (RedisCheckpointStore plain = new RedisCheckpointStore(connection, POLICY)) {
            plain.put(source, record(0, "c0")).block();
        }
        try (RedisCheckpointStore waiting = new RedisCheckpointStore(connection, POLICY,
                new ReplicaWait(1, Duration.ofMillis(500)))) {
            try (AutoCloseable ignored = pause(replicaOf(pausedPrimary))) {
                for (Map.Entry<Integer, String> entry : documentOf.entrySet()) {
                    DocumentKey target = new DocumentKey(tenant, entry.getValue());
                    if (entry.getKey() == pausedPrimary) {
                        assertThatThrownBy(() -> waiting.fork(source, 0, target, bytes -> bytes).block())
                                .as("fork to %s, its primary's replica paused", target.document())
                                .isInstanceOfSatisfying(ReplicationTimeoutException.class,
                                        e -> assertThat(e.getMessage()).contains("is created", "0 of the 1 replicas"));
                        assertThatThrownBy(() -> waiting.delete(target).block())
                                .isInstanceOfSatisfying(ReplicationTimeoutException.class,
                                        e -> assertThat(e.getMessage()).contains("is deleted", "0 of the 1 replicas"));
                    } else {
                        assertThat(waiting.fork(source, 0, target, bytes -> bytes).block().segment())
                                .as("fork to %s, another primary's replica paused", target.document()).isZero();
                        assertThat(waiting.delete(target).block()).isTrue();
                    }
                    assertThat(waiting.head(target).blockOptional()).as("done on the primary either way").isEmpty();
                }
            }
        }
    }

    /** The primary that serves the document's slot, as the nodes themselves say. */
    private int primaryOf(String document) {
        int seed = cluster.primaryPorts().get(0);
        long slot = onNode(seed, node -> node.sync().clusterKeyslot(headKey(document)));
        for (int primary : cluster.primaryPorts()) {
            String nodes = onNode(primary, node -> node.sync().clusterNodes());
            for (String line : nodes.lines().toList()) {
                if (line.contains("myself")) {
                    String[] fields = line.split(" ");
                    for (int f = 8; f < fields.length; f++) {
                        String[] range = fields[f].split("-");
                        if (range[0].startsWith("[")) {
                            continue;
                        }
                        long from = Long.parseLong(range[0]);
                        long to = range.length > 1 ? Long.parseLong(range[1]) : from;
                        if (slot >= from && slot <= to) {
                            return primary;
                        }
                    }
                }
            }
        }
        throw new IllegalStateException("no primary serves slot " + slot);
    }

    private static int replicaOf(int primary) {
        Matcher matcher = REPLICA_PORT.matcher(onNode(primary, node -> node.sync().info("replication")));
        assertThat(matcher.find()).as("primary %d has a replica", primary).isTrue();
        return Integer.parseInt(matcher.group(1));
    }
}
