package io.baton.memory.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.baton.common.redis.RedisConnection;
import io.baton.common.testing.Meters;
import io.baton.common.testing.TestServers;
import io.baton.memory.Checkpoints;
import io.baton.memory.MemoryServer;
import io.baton.memory.store.CheckpointRecord;
import io.baton.protocol.BatonHeaders;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * A put sent ahead of its parent ({@code X-Baton-Parent-Wait-Ms}) against a real Redis, through
 * two memory services on it: it waits until its parent is stored, through the same service (woken
 * at once) or the other one (seen by its look at the head), and is then stored on the same
 * condition as any put that names its parent; when the parent does not come in time, or comes with
 * another digest, it is refused as without a wait, and stores nothing. Each test puts the parent
 * only once the put ahead is seen waiting ({@code baton.state.parent.waiting}).
 */
class PutAheadIT {

    private static MemoryServer first;
    private static MemoryServer second;
    private static RedisClient redisClient;
    private static StatefulRedisConnection<byte[], byte[]> connection;
    private static RedisCommands<byte[], byte[]> redis;

    private final String tenant = "it-" + UUID.randomUUID();

    @BeforeAll
    static void startServices() {
        String url = TestServers.redisUrl();
        Map<String, String> properties = Map.of("baton.store.kind", "redis", "baton.redis.url", url,
                "baton.limits.max-parent-wait", "10s");
        first = MemoryServer.start(properties);
        second = MemoryServer.start(properties);
        redisClient = RedisClient.create(url);
        connection = redisClient.connect(ByteArrayCodec.INSTANCE);
        redis = connection.sync();
    }

    @AfterEach
    void deleteWhatTheTestWrote() {
        for (String key : RedisSnapshot.of(redis, tenant).values().keySet()) {
            redis.del(key.getBytes(StandardCharsets.UTF_8));
        }
    }

    @AfterAll
    static void stopServices() {
        if (connection != null) {
            connection.close();
            RedisConnection.shutdown(redisClient);
        }
        for (MemoryServer server : new MemoryServer[] {first, second}) {
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void aPutAheadIsStoredOnceItsParentIsStoredThroughTheSameService() {
        assertThat(putAheadThenParent(first, "same"))
                .as("store writes: the parent's and the put ahead's, once, after the parent").isEqualTo(2.0);
    }

    @Test
    void aPutAheadSeesItsParentStoredThroughAnotherService() {
        putAheadThenParent(second, "other");
    }

    /**
     * Checkpoint 0 of {@code document} stored; checkpoint 2 put ahead through {@code ahead}, and
     * once it waits, checkpoint 1 through the first service: both stored, the put ahead after one
     * wait that ended with its parent stored. The store writes {@code ahead} made meanwhile.
     */
    private double putAheadThenParent(MemoryServer ahead, String document) {
        storeFirst(document);
        Meters before = Meters.scrape(ahead.baseUrl());
        CompletableFuture<ResponseEntity<String>> two = put(ahead, document, 2, digest(document, 1), 10_000);
        awaitWaiting(ahead, document);

        assertThat(put(first, document, 1, digest(document, 0), 0).join().getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(two.join().getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(head(ahead, document)).isEqualTo(2);
        Meters after = Meters.scrape(ahead.baseUrl());
        assertThat(after.minus(before, "baton_state_parent_wait_seconds_count", "outcome", "stored")).isEqualTo(1.0);
        return after.minus(before, "baton_state_store_duration_seconds_count", "operation", "write");
    }

    @Test
    void aChainOfPutsAheadThroughOneServiceIsStoredInOrderOnceItsFirstParentIs() {
        storeFirst("chain");
        CompletableFuture<ResponseEntity<String>> three = put(first, "chain", 3, digest("chain", 2), 10_000);
        CompletableFuture<ResponseEntity<String>> two = put(first, "chain", 2, digest("chain", 1), 10_000);
        awaitWaiting(first, "chain", 2);

        // 3 waits for 2, whose put is in progress here (itself waiting for 1): it is woken when 2's put ends
        assertThat(put(first, "chain", 1, digest("chain", 0), 0).join().getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(two.join().getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(three.join().getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(head(first, "chain")).isEqualTo(3);
    }

    @Test
    void aPutAheadWhoseParentsPutHereIsRefusedStillSeesItsParentStoredThroughAnotherService() {
        storeFirst("refusedhere");
        CompletableFuture<ResponseEntity<String>> two = put(first, "refusedhere", 2, digest("refusedhere", 1), 10_000);
        awaitWaiting(first, "refusedhere", 1);

        // a put of 1 here that names another parent ends refused: 2 goes back to looking at the head
        ResponseEntity<String> wrong = put(first, "refusedhere", 1, digest("refusedhere", 5), 0).join();
        assertThat(wrong.getStatusCode()).isEqualTo(HttpStatus.PRECONDITION_FAILED);
        assertThat(two).as("still waiting for its parent").isNotDone();
        assertThat(put(second, "refusedhere", 1, digest("refusedhere", 0), 0).join().getStatusCode())
                .isEqualTo(HttpStatus.CREATED);

        assertThat(two.join().getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(head(first, "refusedhere")).isEqualTo(2);
    }

    @Test
    void aPutAheadWhoseParentDoesNotComeIsRefusedAsNotNextAndStoresNothing() {
        storeFirst("late");
        RedisSnapshot before = RedisSnapshot.of(redis, tenant);
        Meters meters = Meters.scrape(first.baseUrl());

        ResponseEntity<String> refused = put(first, "late", 2, digest("late", 1), 300).join();

        assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(refused.getBody()).contains("checkpoint-conflict").contains("\"expectedSegment\":1");
        assertThat(RedisSnapshot.of(redis, tenant).values()).isEqualTo(before.values());
        Meters after = Meters.scrape(first.baseUrl());
        assertThat(after.minus(meters, "baton_state_parent_wait_seconds_count", "outcome", "refused")).isEqualTo(1.0);
        assertThat(after.minus(meters, "baton_state_conflicts_total", "reason", "checkpoint"))
                .as("one refusal counted, however often the put looked").isEqualTo(1.0);
    }

    @Test
    void withoutAWaitAPutAheadIsRefusedAtOnce() {
        storeFirst("nowait");
        Meters meters = Meters.scrape(first.baseUrl());

        assertThat(put(first, "nowait", 2, digest("nowait", 1), 0).join().getStatusCode())
                .isEqualTo(HttpStatus.CONFLICT);
        assertThat(Meters.scrape(first.baseUrl()).minus(meters, "baton_state_parent_wait_seconds_count"))
                .isEqualTo(0.0);
        assertThat(head(first, "nowait")).isZero();
    }

    @Test
    void aPutAheadNamingAnotherParentIsRefusedOnceItsParentIsStored() {
        storeFirst("wrong");
        byte[] otherOne = Checkpoints.bytes(Checkpoints.container(Checkpoints.metadata(tenant, "wrong", 1), 1, 512));
        CompletableFuture<ResponseEntity<String>> ahead = put(first, "wrong", 2, CheckpointRecord.digest(otherOne),
                10_000);
        awaitWaiting(first, "wrong");

        assertThat(put(first, "wrong", 1, digest("wrong", 0), 0).join().getStatusCode()).isEqualTo(HttpStatus.CREATED);
        ResponseEntity<String> refused = ahead.join();
        assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.PRECONDITION_FAILED);
        assertThat(refused.getBody()).contains("parent-mismatch");
        assertThat(head(first, "wrong")).isEqualTo(1);
    }

    @Test
    void aPutAheadBeyondTheBytesThatMayWaitIsRefusedAtOnce() {
        Map<String, String> properties = Map.of("baton.store.kind", "redis", "baton.redis.url", TestServers.redisUrl(),
                "baton.limits.max-parent-wait", "10s", "baton.limits.max-parent-wait-bytes",
                Integer.toString(checkpoint("full", 2).length - 1));
        try (MemoryServer small = MemoryServer.start(properties)) {
            assertThat(put(small, "full", 0, null, 0).join().getStatusCode()).isEqualTo(HttpStatus.CREATED);
            Meters before = Meters.scrape(small.baseUrl());

            ResponseEntity<String> refused = put(small, "full", 2, digest("full", 1), 10_000).join();

            assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
            assertThat(refused.getBody()).contains("\"expectedSegment\":1");
            Meters after = Meters.scrape(small.baseUrl());
            assertThat(after.minus(before, "baton_state_parent_wait_seconds_count", "outcome", "full")).isEqualTo(1.0);
            assertThat(after.minus(before, "baton_state_parent_wait_seconds_count", "outcome", "refused")).isZero();
            assertThat(head(small, "full")).isZero();
        }
    }

    @Test
    void aWaitThatIsNotANumberIsABadRequestAndStoresNothing() {
        storeFirst("bad");
        RedisSnapshot before = RedisSnapshot.of(redis, tenant);

        ResponseEntity<String> refused = WebClient.create(first.baseUrl()).put()
                .uri("/v1/documents/bad/checkpoints/1").header(BatonHeaders.TENANT, tenant)
                .header(BatonHeaders.PARENT_DIGEST, digest("bad", 0))
                .header(BatonHeaders.PARENT_WAIT_MS, "soon")
                .contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(checkpoint("bad", 1))
                .exchangeToMono(response -> response.toEntity(String.class)).block(Duration.ofSeconds(30));

        assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(refused.getBody()).contains("invalid-parameter").contains(BatonHeaders.PARENT_WAIT_MS);
        assertThat(RedisSnapshot.of(redis, tenant).values()).isEqualTo(before.values());
    }

    /** Stores checkpoint 0 of {@code document} through the first service. */
    private void storeFirst(String document) {
        assertThat(put(first, document, 0, null, 0).join().getStatusCode()).isEqualTo(HttpStatus.CREATED);
    }

    /** The digest checkpoint n of {@code document} (the fixture's bytes) gets, stored as sent. */
    private String digest(String document, long segment) {
        return CheckpointRecord.digest(checkpoint(document, segment));
    }

    private byte[] checkpoint(String document, long segment) {
        return Checkpoints.checkpoint(tenant, document, segment);
    }

    /** Puts checkpoint n (the fixture's bytes), naming {@code parent} and asking to wait {@code waitMs} for it. */
    private CompletableFuture<ResponseEntity<String>> put(MemoryServer server, String document, long segment,
                                                          String parent, long waitMs) {
        return WebClient.create(server.baseUrl()).put()
                .uri("/v1/documents/" + document + "/checkpoints/" + segment)
                .header(BatonHeaders.TENANT, tenant)
                .headers(headers -> {
                    if (parent != null) {
                        headers.set(BatonHeaders.PARENT_DIGEST, parent);
                    }
                    if (waitMs > 0) {
                        headers.set(BatonHeaders.PARENT_WAIT_MS, Long.toString(waitMs));
                    }
                })
                .contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(checkpoint(document, segment))
                .exchangeToMono(response -> response.toEntity(String.class))
                .timeout(Duration.ofSeconds(30)).toFuture();
    }

    /** Until a put sent ahead to {@code server} waits for its parent ({@code baton.state.parent.waiting}). */
    private void awaitWaiting(MemoryServer server, String document) {
        awaitWaiting(server, document, 1);
    }

    /** Until {@code puts} sent ahead to {@code server} wait for their parents. */
    private void awaitWaiting(MemoryServer server, String document, int puts) {
        await().atMost(Duration.ofSeconds(20)).until(() -> Meters.scrape(server.baseUrl())
                .value("baton_state_parent_waiting") >= puts);
        assertThat(head(server, document)).as("the parent is not stored yet").isZero();
    }

    private long head(MemoryServer server, String document) {
        return WebClient.create(server.baseUrl()).get().uri("/v1/documents/" + document + "/head")
                .header(BatonHeaders.TENANT, tenant)
                .retrieve().bodyToMono(HeadResponse.class).block(Duration.ofSeconds(30)).segment();
    }
}
