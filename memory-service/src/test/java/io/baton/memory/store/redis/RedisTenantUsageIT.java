package io.baton.memory.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.baton.common.redis.RedisConnection;
import io.baton.common.testing.TestServers;
import io.baton.memory.store.CheckpointRecord;
import io.baton.memory.store.DocumentKey;
import io.baton.memory.store.DocumentSummary;
import io.baton.memory.store.QuotaExceededException;
import io.baton.memory.store.StorePolicy;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tenant's usage counter in Redis ({@code baton:{tenant:<t>}:usage}), read back with plain
 * commands: after any mix of writes it equals a recount from the index and the documents' own
 * stored bytes; a tenant without one (written before it was kept) is recounted and refused at the
 * same point; an expired document stops counting; the last delete takes the counter with it.
 */
class RedisTenantUsageIT {

    private static final String MODEL = "jamba-tiny";
    private static final String DIGEST = "a".repeat(64);
    /** A quota no test reaches, so that every put reads the counter. */
    private static final StorePolicy COUNTING = new StorePolicy(3, Duration.ofMinutes(5), 1L << 30);

    private static RedisConnection connection;
    private static RedisClient rawClient;
    private static StatefulRedisConnection<String, byte[]> rawConnection;
    private static RedisCommands<String, byte[]> raw;

    private String tenant;

    @BeforeAll
    static void connect() {
        String url = TestServers.redisUrl();
        connection = RedisConnection.open(RedisCheckpointStoreIT.settings(url));
        rawClient = RedisClient.create();
        rawConnection = rawClient.connect(RedisConnection.CODEC, RedisURI.create(url));
        raw = rawConnection.sync();
    }

    @AfterAll
    static void disconnect() {
        if (rawConnection != null) {
            rawConnection.close();
            RedisConnection.shutdown(rawClient);
        }
        if (connection != null) {
            connection.close();
        }
    }

    @BeforeEach
    void newTenant() {
        tenant = "usage-" + UUID.randomUUID().toString().substring(0, 13);
    }

    @AfterEach
    void deleteWhatTheTestWrote() {
        RedisCheckpointStore store = new RedisCheckpointStore(connection, COUNTING);
        for (DocumentSummary summary : store.list(tenant, null, 1000).block().documents()) {
            store.delete(new DocumentKey(tenant, summary.document())).block();
        }
        raw.del(RedisKeys.tenantKeys(tenant));
    }

    @Test
    void theCounterEqualsARecountAfterPutsRetentionRepeatsForksAndDeletes() {
        RedisCheckpointStore store = new RedisCheckpointStore(connection, COUNTING);
        DocumentKey a = doc("a");
        DocumentKey b = doc("b");
        DocumentKey c = doc("c");
        for (long n = 0; n < 6; n++) {                   // a: K = 3, so three retire along the way
            store.put(a, record(n, "a", 100 + (int) n * 10)).block();
        }
        assertCounted(store, 130 + 140 + 150);
        store.put(b, record(0, "b", 700)).block();
        store.put(b, record(0, "b", 700)).block();        // an identical repeat changes nothing
        store.put(c, record(0, "c", 50)).block();
        store.put(c, record(1, "c", 60)).block();
        assertCounted(store, 420 + 700 + 110);

        store.fork(a, 4, doc("fork-a"), bytes -> bytes).block();
        store.fork(c, 0, doc("fork-c"), bytes -> bytes).block();
        assertCounted(store, 420 + 700 + 110 + 140 + 50);

        store.delete(b).block();
        String head = store.put(c, record(2, "c", 70)).block().digest();
        store.delete(c, head).block();
        assertCounted(store, 420 + 140 + 50);

        store.delete(a).block();
        store.delete(doc("fork-a")).block();
        store.delete(doc("fork-c")).block();
        assertThat(raw.exists(RedisKeys.tenantKeys(tenant))).as("index, counter and expiries of an empty tenant")
                .isZero();
    }

    @Test
    void aTenantWithoutACounterIsRecountedOnceAndRefusedWhereAWalkWould() {
        RedisCheckpointStore unlimited = new RedisCheckpointStore(connection, new StorePolicy(3, Duration.ofMinutes(5), 0));
        unlimited.put(doc("a"), record(0, "a", 400)).block();
        raw.del(RedisKeys.tenantUsage(tenant), RedisKeys.tenantExpiries(tenant));   // as a store from before the counter
        unlimited.put(doc("b"), record(0, "b", 400)).block();
        assertThat(raw.exists(RedisKeys.tenantUsage(tenant))).as("a write does not start a partial count").isZero();

        RedisCheckpointStore limited = new RedisCheckpointStore(connection, new StorePolicy(3, Duration.ofMinutes(5), 1000));
        assertThatThrownBy(() -> limited.put(doc("b"), record(1, "b", 300)).block())
                .isInstanceOfSatisfying(QuotaExceededException.class, e -> assertThat(e.used()).isEqualTo(800));
        assertThat(total()).isEqualTo(800);
        assertThat(limited.put(doc("b"), record(1, "b", 200)).block().created()).isTrue();
        assertCounted(limited, 1000);
    }

    @Test
    void anExpiredDocumentStopsCountingWithoutAnyWriteOfIt() {
        RedisCheckpointStore shortLived = new RedisCheckpointStore(connection,
                new StorePolicy(3, Duration.ofMillis(300), 1000));
        RedisCheckpointStore limited = new RedisCheckpointStore(connection, new StorePolicy(3, Duration.ofMinutes(5), 1000));
        limited.put(doc("kept"), record(0, "k", 200)).block();
        shortLived.put(doc("expiring"), record(0, "e", 700)).block();
        assertThatThrownBy(() -> limited.put(doc("new"), record(0, "n", 400)).block())
                .isInstanceOf(QuotaExceededException.class);

        await().atMost(Duration.ofSeconds(30))   // Redis expires it by its TTL
                .until(() -> raw.exists(RedisKeys.head(doc("expiring"))) == 0);
        assertThat(limited.put(doc("new"), record(0, "n", 400)).block().created()).isTrue();
        assertThat(total()).isEqualTo(600);
        assertThat(raw.zscore(RedisKeys.tenantExpiries(tenant), "expiring".getBytes(StandardCharsets.UTF_8))).isNull();
        assertThat(limited.recountUsage(tenant).block()).isEqualTo(600);
    }

    /**
     * Asserts that the counter holds {@code expected}, that the documents' heads add up to it, and
     * that a recount from the index (which rebuilds the counter) finds the same.
     */
    private void assertCounted(RedisCheckpointStore store, long expected) {
        long heads = store.list(tenant, null, 1000).block().documents().stream()
                .mapToLong(summary -> store.head(new DocumentKey(tenant, summary.document())).block().storedBytes())
                .sum();
        assertThat(heads).as("stored bytes of the tenant's documents").isEqualTo(expected);
        assertThat(total()).as("the counter").isEqualTo(expected);
        assertThat(store.recountUsage(tenant).block()).as("a recount").isEqualTo(expected);
        assertThat(total()).as("the counter after the recount").isEqualTo(expected);
    }

    private long total() {
        byte[] total = raw.hget(RedisKeys.tenantUsage(tenant), ":total");
        return total == null ? -1 : Long.parseLong(new String(total, StandardCharsets.US_ASCII));
    }

    private DocumentKey doc(String id) {
        return new DocumentKey(tenant, id);
    }

    /** Checkpoint n of {@code size} bytes, different per segment and variant. */
    private static CheckpointRecord record(long n, String variant, int size) {
        byte[] stored = new byte[size];
        int seed = (int) (n * 31 + variant.hashCode());
        for (int i = 0; i < size; i++) {
            seed = seed * 1103515245 + 12345;
            stored[i] = (byte) (seed >>> 16);
        }
        return new CheckpointRecord(n, 64 * (n + 1), MODEL, DIGEST, size, stored);
    }
}
