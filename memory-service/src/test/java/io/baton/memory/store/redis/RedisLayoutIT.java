package io.baton.memory.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.common.redis.RedisConnection;
import io.baton.common.testing.TestServers;
import io.baton.memory.store.CheckpointConflictException;
import io.baton.memory.store.CheckpointRecord;
import io.baton.memory.store.DocumentKey;
import io.baton.memory.store.DocumentSummary;
import io.baton.memory.store.Head;
import io.baton.memory.store.ModelMismatchException;
import io.baton.memory.store.ParentMismatchException;
import io.baton.memory.store.PutResult;
import io.baton.memory.store.QuotaExceededException;
import io.baton.memory.store.StorePolicy;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the Redis store leaves in Redis, read back with plain commands: TTLs, retention, hash
 * slots, idempotent retries and refused writes that write nothing.
 */
class RedisLayoutIT {

    private static final long TTL_MILLIS = 60_000;
    private static final StorePolicy POLICY = new StorePolicy(3, Duration.ofMillis(TTL_MILLIS), 0);
    private static final String MODEL = "jamba-tiny";
    private static final String DIGEST = "a".repeat(64);

    private static RedisConnection connection;
    private static RedisClient rawClient;
    private static StatefulRedisConnection<String, byte[]> rawConnection;
    private static RedisCommands<String, byte[]> raw;

    private RedisCheckpointStore store;
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
        tenant = "layout-" + UUID.randomUUID().toString().substring(0, 13);
        store = new RedisCheckpointStore(connection, POLICY);
    }

    @AfterEach
    void deleteWhatTheTestWrote() {
        List<String> keys = keysOf("baton:{" + tenant + ":*");
        keys.addAll(List.of(RedisKeys.tenantKeys(tenant)));
        raw.del(keys.toArray(String[]::new));
    }

    @Test
    void everyKeyOfADocumentHasTheTtlAndTheNextWriteRefreshesIt() {
        DocumentKey key = new DocumentKey(tenant, "ttl");
        write(key, 0, 2);
        for (String k : List.of(RedisKeys.head(key), RedisKeys.checkpoint(key, 0), RedisKeys.checkpoint(key, 1),
                RedisKeys.checkpoint(key, 2))) {
            assertThat(raw.pttl(k)).as("PTTL of %s", k).isBetween(TTL_MILLIS - 10_000, TTL_MILLIS);
        }
        for (String k : keysOf("baton:{" + tenant + ":ttl}:*")) {
            raw.pexpire(k, 5_000);
        }

        write(key, 3, 3);

        for (String k : List.of(RedisKeys.head(key), RedisKeys.checkpoint(key, 1), RedisKeys.checkpoint(key, 2),
                RedisKeys.checkpoint(key, 3))) {
            assertThat(raw.pttl(k)).as("PTTL of %s after the next write", k).isGreaterThan(TTL_MILLIS - 10_000);
        }
        assertThat(raw.exists(RedisKeys.checkpoint(key, 0))).isZero();
    }

    @Test
    void exactlyTheLastKCheckpointsAreKeptAndRetiredKeysAreGone() {
        DocumentKey key = new DocumentKey(tenant, "kept");
        write(key, 0, 7);

        assertThat(new TreeSet<>(keysOf("baton:{" + tenant + ":kept}:*"))).containsExactly(
                RedisKeys.checkpoint(key, 5), RedisKeys.checkpoint(key, 6), RedisKeys.checkpoint(key, 7),
                RedisKeys.head(key));
        Map<String, String> head = text(raw.hgetall(RedisKeys.head(key)));
        assertThat(head).containsEntry("segment", "7").containsEntry("oldest", "5").containsEntry("version", "8")
                .containsEntry("model", MODEL).containsEntry("digest", DIGEST)
                .containsKeys("size:5", "size:6", "size:7")
                .doesNotContainKeys("size:4", "tokens:4", "bytes:4");
        long sum = 0;
        for (long n = 5; n <= 7; n++) {
            sum += Long.parseLong(head.get("size:" + n));
        }
        assertThat(store.head(key).block().storedBytes()).isEqualTo(sum);
    }

    @Test
    void checkpointsAreStoredAsTheExactBytes() {
        DocumentKey key = new DocumentKey(tenant, "bytes");
        byte[] all = new byte[65_536 + 7];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) (i * 31 + 7);
        }
        store.put(key, new CheckpointRecord(0, 5, MODEL, DIGEST, all.length, all)).block();
        assertThat(raw.get(RedisKeys.checkpoint(key, 0))).isEqualTo(all);
    }

    @Test
    void allKeysOfADocumentShareOneHashSlot() {
        DocumentKey key = new DocumentKey(tenant, "slot");
        write(key, 0, 4);
        int slot = SlotHash.getSlot(RedisKeys.head(key));
        for (String k : keysOf("baton:{" + tenant + ":slot}:*")) {
            assertThat(SlotHash.getSlot(k)).as("slot of %s", k).isEqualTo(slot);
        }
        assertThat(slot).isEqualTo(SlotHash.getSlot(tenant + ":slot"));
        assertThat(SlotHash.getSlot(RedisKeys.tenantIndex(tenant))).isEqualTo(SlotHash.getSlot("tenant:" + tenant));
    }

    @Test
    void aRetryAfterACrashBetweenWriteAndAcknowledgementIsIdempotent() {
        DocumentKey key = new DocumentKey(tenant, "crash");
        write(key, 0, 1);
        CheckpointRecord second = record(2);

        store.put(key, second).block();              // written; the acknowledgement is "lost"
        raw.hdel(RedisKeys.tenantIndex(tenant), key.document());   // and the index update with it
        Map<String, Object> written = snapshot(key);

        PutResult retry = store.put(key, second).block();

        assertThat(retry.created()).isFalse();
        assertThat(retry.head().segment()).isEqualTo(2);
        assertThat(retry.head().version()).isEqualTo(3);
        assertThat(snapshot(key)).usingRecursiveComparison().isEqualTo(written);
        assertThat(store.list(tenant, null, 10).block().documents())
                .extracting(DocumentSummary::document, DocumentSummary::segment).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("crash", 2L));
    }

    @Test
    void aRefusedPutWritesNothingAndRefreshesNothing() {
        DocumentKey key = new DocumentKey(tenant, "refused");
        write(key, 0, 3);
        for (String k : keysOf("baton:{" + tenant + ":refused}:*")) {
            raw.pexpire(k, 30_000);
        }
        Map<String, Object> before = snapshot(key);
        byte[] indexBefore = raw.hget(RedisKeys.tenantIndex(tenant), key.document());

        assertThatThrownBy(() -> store.put(key, record(5)).block()).isInstanceOf(CheckpointConflictException.class);
        assertThatThrownBy(() -> store.put(key, record(0)).block()).isInstanceOf(CheckpointConflictException.class);
        CheckpointRecord different = new CheckpointRecord(2, 1, MODEL, DIGEST, 3, "new".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> store.put(key, different).block()).isInstanceOf(CheckpointConflictException.class);
        CheckpointRecord otherModel = new CheckpointRecord(4, 1, "gemma2-tiny", DIGEST, 3, "new".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> store.put(key, otherModel).block()).isInstanceOf(ModelMismatchException.class);
        assertThatThrownBy(() -> store.put(key, record(4).withParent("0".repeat(64))).block())
                .isInstanceOf(ParentMismatchException.class);
        RedisCheckpointStore limited = new RedisCheckpointStore(connection, new StorePolicy(3, Duration.ofMillis(TTL_MILLIS), 10));
        assertThatThrownBy(() -> limited.put(key, record(4)).block()).isInstanceOf(QuotaExceededException.class);

        assertThat(snapshot(key)).usingRecursiveComparison().isEqualTo(before);
        assertThat(raw.hget(RedisKeys.tenantIndex(tenant), key.document())).isEqualTo(indexBefore);
        for (String k : keysOf("baton:{" + tenant + ":refused}:*")) {
            assertThat(raw.pttl(k)).as("PTTL of %s", k).isLessThanOrEqualTo(30_000);
        }
    }

    @Test
    void theTenantIndexHoldsBytesExpiryAndSegmentAndDeleteClearsIt() {
        DocumentKey key = new DocumentKey(tenant, "indexed");
        write(key, 0, 1);
        Head head = store.head(key).block();
        String entry = new String(raw.hget(RedisKeys.tenantIndex(tenant), "indexed"), StandardCharsets.UTF_8);
        String[] parts = entry.split(":");
        assertThat(parts).hasSize(4);
        assertThat(Long.parseLong(parts[0])).isEqualTo(head.storedBytes());
        assertThat(Long.parseLong(parts[1])).isBetween(System.currentTimeMillis() + TTL_MILLIS - 10_000,
                System.currentTimeMillis() + TTL_MILLIS + 10_000);
        assertThat(parts[2]).isEqualTo("1");
        assertThat(parts[3]).isEqualTo("2");

        assertThat(raw.pttl(RedisKeys.tenantIndex(tenant))).as("PTTL of the index")
                .isBetween(TTL_MILLIS - 10_000, TTL_MILLIS);

        assertThat(store.delete(key).block()).isTrue();
        assertThat(keysOf("baton:{" + tenant + ":indexed}:*")).isEmpty();
        assertThat(raw.exists(RedisKeys.tenantIndex(tenant))).isZero();
    }

    @Test
    void listDropsIndexEntriesOfDocumentsThatExpiredAndKeepsOnesWhoseEntryLagged() {
        DocumentKey gone = new DocumentKey(tenant, "gone");
        DocumentKey lagging = new DocumentKey(tenant, "lagging");
        write(gone, 0, 0);
        write(lagging, 0, 0);
        raw.del(keysOf("baton:{" + tenant + ":gone}:*").toArray(String[]::new));   // as if expired
        raw.hset(RedisKeys.tenantIndex(tenant), "gone", "5:1000:0:1".getBytes(StandardCharsets.UTF_8));
        raw.hset(RedisKeys.tenantIndex(tenant), "lagging", "5:1000:0:1".getBytes(StandardCharsets.UTF_8));

        List<DocumentSummary> listed = store.list(tenant, null, 10).block().documents();

        assertThat(listed).extracting(DocumentSummary::document).containsExactly("lagging");
        assertThat(listed.get(0).expiresAt()).isAfter(java.time.Instant.now());
        assertThat(raw.hexists(RedisKeys.tenantIndex(tenant), "gone")).isFalse();
    }

    @Test
    void listPagesThroughALargeTenantAcrossManyScanStepsExactlyOnce() {
        // more documents than a hash keeps in one listpack, so HSCAN walks a real hash table in steps
        int documents = 300;
        Map<String, String> config = raw.configGet("hash-max-listpack-entries");
        if (config.containsKey("hash-max-listpack-entries")) {
            documents = Math.max(documents, Integer.parseInt(config.get("hash-max-listpack-entries")) + 100);
        }
        List<String> written = new ArrayList<>();
        for (int i = 0; i < documents; i++) {
            DocumentKey key = new DocumentKey(tenant, String.format("doc-%03d", i));
            write(key, 0, 0);
            written.add(key.document());
        }
        assertThat(raw.objectEncoding(RedisKeys.tenantIndex(tenant))).as("index encoding").isEqualTo("hashtable");

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var page = store.list(tenant, cursor, 7).block();
            assertThat(page.documents()).hasSizeLessThanOrEqualTo(7);
            page.documents().forEach(summary -> seen.add(summary.document()));
            cursor = page.next();
            assertThat(++pages).isLessThanOrEqualTo(documents);
        } while (cursor != null);

        assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(written);
    }

    @Test
    void noStagingKeySurvivesAPutWhateverItsOutcome() {
        DocumentKey key = new DocumentKey(tenant, "staged");
        write(key, 0, 2);                                                   // accepted
        assertThat(stagingKeys(key)).as("after accepted puts").isEmpty();

        assertThat(store.put(key, record(2)).block().created()).isFalse();   // idempotent
        assertThat(stagingKeys(key)).as("after an idempotent repeat").isEmpty();

        assertThatThrownBy(() -> store.put(key, record(5)).block()).isInstanceOf(CheckpointConflictException.class);
        CheckpointRecord different = new CheckpointRecord(1, 1, MODEL, DIGEST, 3, "new".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> store.put(key, different).block()).isInstanceOf(CheckpointConflictException.class);
        assertThatThrownBy(() -> store.put(new DocumentKey(tenant, "staged-none"), record(3)).block())
                .isInstanceOf(CheckpointConflictException.class);
        assertThat(stagingKeys(key)).as("after conflicts").isEmpty();
        assertThat(keysOf("baton:{" + tenant + ":staged-none}:*")).as("keys of a refused new document").isEmpty();

        CheckpointRecord otherModel = new CheckpointRecord(3, 1, "gemma2-tiny", DIGEST, 3, "new".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> store.put(key, otherModel).block()).isInstanceOf(ModelMismatchException.class);
        assertThat(stagingKeys(key)).as("after a model mismatch").isEmpty();

        assertThatThrownBy(() -> store.put(key, record(3).withParent("0".repeat(64))).block())
                .isInstanceOf(ParentMismatchException.class);
        assertThat(stagingKeys(key)).as("after a parent mismatch").isEmpty();

        RedisCheckpointStore limited = new RedisCheckpointStore(connection, new StorePolicy(3, Duration.ofMillis(TTL_MILLIS), 10));
        assertThatThrownBy(() -> limited.put(key, record(3)).block()).isInstanceOf(QuotaExceededException.class);
        assertThat(stagingKeys(key)).as("after a quota refusal").isEmpty();

        assertThat(new TreeSet<>(keysOf("baton:{" + tenant + ":staged}:*"))).containsExactly(
                RedisKeys.checkpoint(key, 0), RedisKeys.checkpoint(key, 1), RedisKeys.checkpoint(key, 2),
                RedisKeys.head(key));
    }

    @Test
    void theRenamedCheckpointGetsTheDocumentTtlNotTheStagingTtl() {
        DocumentKey key = new DocumentKey(tenant, "renamed");
        RedisCheckpointStore longLived = new RedisCheckpointStore(connection, new StorePolicy(3, Duration.ofHours(1), 0));
        longLived.put(key, record(0)).block();
        assertThat(raw.pttl(RedisKeys.checkpoint(key, 0))).isBetween(3_600_000L - 10_000, 3_600_000L);
        assertThat(raw.pttl(RedisKeys.head(key))).isBetween(3_600_000L - 10_000, 3_600_000L);
        assertThat(raw.get(RedisKeys.checkpoint(key, 0))).isEqualTo(record(0).stored());
        Map<String, String> head = text(raw.hgetall(RedisKeys.head(key)));
        assertThat(head).containsEntry("digest:0", new String(CheckpointRecord.digestBytes(record(0).stored()),
                StandardCharsets.US_ASCII));
    }

    @Test
    void aStagingKeyLeftByACrashBeforeTheScriptExpires() {
        DocumentKey key = new DocumentKey(tenant, "crashed");
        String staging = RedisKeys.staging(key, UUID.randomUUID().toString());
        // what a put does first; the process "dies" before put.lua runs
        raw.set(staging, record(0).stored(), io.lettuce.core.SetArgs.Builder.px(RedisCheckpointStore.STAGING_TTL_MILLIS));
        assertThat(raw.pttl(staging)).isBetween(1L, RedisCheckpointStore.STAGING_TTL_MILLIS);
        assertThat(SlotHash.getSlot(staging)).isEqualTo(SlotHash.getSlot(RedisKeys.head(key)));
        assertThat(store.head(key).blockOptional()).as("no document from a staged write").isEmpty();

        write(key, 0, 1);                                  // later puts do not adopt or disturb it
        assertThat(store.checkpoint(key, 0).block().stored()).isEqualTo(record(0).stored());
        assertThat(stagingKeys(key)).containsExactly(staging);
        assertThat(raw.pttl(staging)).isBetween(1L, RedisCheckpointStore.STAGING_TTL_MILLIS);
    }

    @Test
    void aRepeatOfACheckpointWrittenWithoutADigestComparesTheBytes() {
        DocumentKey key = new DocumentKey(tenant, "legacy");
        write(key, 0, 2);
        raw.hdel(RedisKeys.head(key), "digest:0", "digest:1", "digest:2");   // as written before digests

        assertThat(store.put(key, record(1)).block().created()).isFalse();
        CheckpointRecord different = new CheckpointRecord(1, 1, MODEL, DIGEST, 3, "new".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> store.put(key, different).block()).isInstanceOf(CheckpointConflictException.class);
        assertThat(stagingKeys(key)).isEmpty();
        write(key, 3, 3);
        assertThat(text(raw.hgetall(RedisKeys.head(key)))).containsKey("digest:3").doesNotContainKey("digest:0");
    }

    @Test
    void aDocumentCreatedAgainAfterADeleteHasANewIncarnation() {
        DocumentKey key = new DocumentKey(tenant, "incarnation");
        write(key, 0, 1);
        byte[] first = raw.hget(RedisKeys.head(key), "incarnation");
        write(key, 2, 2);
        assertThat(raw.hget(RedisKeys.head(key), "incarnation")).as("kept by later puts").isEqualTo(first);
        store.delete(key).block();
        write(key, 0, 0);
        byte[] second = raw.hget(RedisKeys.head(key), "incarnation");
        assertThat(first).isNotNull();
        assertThat(second).isNotNull().isNotEqualTo(first);
        store.fork(key, 0, new DocumentKey(tenant, "incarnation-fork"), bytes -> bytes).block();
        assertThat(raw.hget(RedisKeys.head(new DocumentKey(tenant, "incarnation-fork")), "incarnation"))
                .isNotNull().isNotEqualTo(second);
    }

    // ---- helpers ----

    private void write(DocumentKey key, long from, long to) {
        for (long n = from; n <= to; n++) {
            assertThat(store.put(key, record(n)).block().created()).isTrue();
        }
    }

    private static CheckpointRecord record(long n) {
        byte[] stored = ("checkpoint " + n + " " + "x".repeat((int) n * 10)).getBytes(StandardCharsets.UTF_8);
        return new CheckpointRecord(n, 64 * (n + 1), MODEL, DIGEST, stored.length + 100, stored);
    }

    private List<String> stagingKeys(DocumentKey key) {
        return keysOf("baton:{" + key.tenant() + ":" + key.document() + "}:staging:*");
    }

    private List<String> keysOf(String pattern) {
        List<String> keys = new ArrayList<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> step = raw.scan(cursor, ScanArgs.Builder.matches(pattern).limit(1000));
            keys.addAll(step.getKeys());
            cursor = step;
        } while (!cursor.isFinished());
        return keys;
    }

    /** Every key of the document with its value: bytes for strings, a sorted field map for hashes. */
    private Map<String, Object> snapshot(DocumentKey key) {
        Map<String, Object> snapshot = new TreeMap<>();
        for (String k : keysOf("baton:{" + key.tenant() + ":" + key.document() + "}:*")) {
            String type = raw.type(k);
            snapshot.put(k, type.equals("hash") ? text(raw.hgetall(k)) : Arrays.toString(raw.get(k)));
        }
        return snapshot;
    }

    private static Map<String, String> text(Map<String, byte[]> hash) {
        Map<String, String> text = new TreeMap<>();
        hash.forEach((field, value) -> text.put(field, new String(value, StandardCharsets.UTF_8)));
        return text;
    }
}
