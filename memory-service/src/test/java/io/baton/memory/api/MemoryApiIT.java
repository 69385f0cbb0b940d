package io.baton.memory.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.baton.common.redis.RedisConnection;
import io.baton.common.state.DType;
import io.baton.common.state.StateCodec;
import io.baton.common.state.StateContainer;
import io.baton.common.state.Tensor;
import io.baton.memory.Checkpoints;
import io.baton.memory.MemoryServer;
import io.baton.common.testing.TestServers;
import io.baton.memory.encoding.ZstdFrames;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;

/**
 * The memory API over HTTP against a real Redis ({@link TestServers}): bit-exact round trips
 * per dtype and encoding, 16 concurrent writers of one segment, a retry after a lost
 * acknowledgement, tenant isolation, fork, and bad inputs that must leave Redis as it was,
 * checked key by key with raw Lettuce. Every test works in a tenant of its own.
 */
class MemoryApiIT {

    private static final int LIMIT = 2 * 1024 * 1024;

    private static MemoryServer server;
    private static RedisClient redisClient;
    private static StatefulRedisConnection<byte[], byte[]> connection;
    private static RedisCommands<byte[], byte[]> redis;

    private final List<String> tenants = new ArrayList<>();
    private final String tenant = newTenant();
    private WebTestClient client;

    @BeforeAll
    static void startService() {
        String url = TestServers.redisUrl();
        server = MemoryServer.start(properties(url, "none", "none"));
        redisClient = RedisClient.create(url);
        connection = redisClient.connect(ByteArrayCodec.INSTANCE);
        redis = connection.sync();
    }

    /** A fresh tenant, whose keys are deleted after the test. */
    private String newTenant() {
        String fresh = "it-" + UUID.randomUUID();
        tenants.add(fresh);
        return fresh;
    }

    @AfterEach
    void deleteWhatTheTestWrote() {
        for (String written : tenants) {
            for (String key : RedisSnapshot.of(redis, written).values().keySet()) {
                redis.del(key.getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    @AfterAll
    static void stopService() {
        if (connection != null) {
            connection.close();
            RedisConnection.shutdown(redisClient);
        }
        if (server != null) {
            server.close();
        }
    }

    private static Map<String, String> properties(String url, String compression, String downcast) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("baton.store.kind", "redis");
        properties.put("baton.redis.url", url);
        properties.put("baton.limits.max-checkpoint-bytes", Integer.toString(LIMIT));
        properties.put("baton.encoding.compression", compression);
        properties.put("baton.encoding.downcast", downcast);
        return properties;
    }

    private WebTestClient client() {
        if (client == null) {
            client = client(server);
        }
        return client;
    }

    private static WebTestClient client(MemoryServer memory) {
        return WebTestClient.bindToServer().baseUrl(memory.baseUrl()).responseTimeout(Duration.ofSeconds(30))
                .codecs(c -> c.defaultCodecs().maxInMemorySize(LIMIT * 2)).build();
    }

    private WebTestClient.ResponseSpec put(WebTestClient web, String tenant, String document, Object segment, byte[] body) {
        return web.put().uri("/v1/documents/" + document + "/checkpoints/" + segment)
                .header(RequestIds.TENANT_HEADER, tenant)
                .contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(body).exchange();
    }

    private byte[] get(WebTestClient web, String tenant, String document, long segment) {
        return web.get().uri("/v1/documents/" + document + "/checkpoints/" + segment)
                .header(RequestIds.TENANT_HEADER, tenant).exchange()
                .expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody();
    }

    private HeadResponse head(String document) {
        return client().get().uri("/v1/documents/" + document + "/head").header(RequestIds.TENANT_HEADER, tenant)
                .exchange().expectStatus().isOk().expectBody(HeadResponse.class).returnResult().getResponseBody();
    }

    private byte[] rawCheckpoint(String document, long segment) {
        return redis.get(("baton:{" + tenant + ":" + document + "}:ckpt:" + segment).getBytes(StandardCharsets.UTF_8));
    }

    /** A checkpoint holding one tensor of {@code dtype}, with random bits (F32: N(0,1) values). */
    private byte[] ofDtype(String document, long segment, DType dtype) {
        Random random = new Random(dtype.ordinal() * 31L + segment);
        int elements = 4096;
        ByteBuffer data = dtype == DType.F32 ? Checkpoints.floats(random, elements)
                : Checkpoints.randomBytes(random, elements * dtype.byteSize());
        return Checkpoints.bytes(StateContainer.builder().metadata(Checkpoints.metadata(tenant, document, segment))
                .tensor("state", dtype, new long[] {2, elements / 2}, data).build());
    }

    private static final List<DType> DTYPES = List.of(DType.F32, DType.F16, DType.BF16, DType.I64);

    // ---- round trips ----

    @Test
    void everyDtypeRoundTripsBitExactAndIsStoredAsSent() {
        for (DType dtype : DTYPES) {
            String document = "rt-" + dtype.name().toLowerCase();
            byte[] bytes = ofDtype(document, 0, dtype);
            put(client(), tenant, document, 0, bytes).expectStatus().isCreated();
            assertThat(get(client(), tenant, document, 0)).as(dtype.name()).isEqualTo(bytes);
            assertThat(rawCheckpoint(document, 0)).as(dtype.name()).isEqualTo(bytes);
        }
    }

    @Test
    void withZstdEveryDtypeRoundTripsBitExactAndIsStoredCompressed() {
        try (MemoryServer zstd = MemoryServer.start(properties(TestServers.redisUrl(), "zstd", "none"))) {
            WebTestClient web = client(zstd);
            for (DType dtype : DTYPES) {
                String document = "zstd-" + dtype.name().toLowerCase();
                byte[] bytes = ofDtype(document, 0, dtype);
                put(web, tenant, document, 0, bytes).expectStatus().isCreated();
                assertThat(get(web, tenant, document, 0)).as(dtype.name()).isEqualTo(bytes);
                assertThat(ZstdFrames.isFrame(rawCheckpoint(document, 0))).isTrue();
                // the retry of the same upload compresses to the same bytes: idempotent
                put(web, tenant, document, 0, bytes).expectStatus().isOk();
                // and a service with compression off reads it all the same
                assertThat(get(client(), tenant, document, 0)).isEqualTo(bytes);
            }
        }
    }

    @Test
    void withF16DowncastF32ComesBackWithinTwoToTheMinus11AndTheRestBitExact() {
        downcastRoundTrip("f16", 0x1.0p-11, 0x1.0p-25);
    }

    @Test
    void withBf16DowncastF32ComesBackWithinTwoToTheMinus8AndTheRestBitExact() {
        downcastRoundTrip("bf16", 0x1.0p-8, 0x1.0p-134);
    }

    private void downcastRoundTrip(String downcast, double relative, double absoluteBelowNormal) {
        try (MemoryServer narrow = MemoryServer.start(properties(TestServers.redisUrl(), "none", downcast))) {
            WebTestClient web = client(narrow);
            for (DType dtype : DTYPES) {
                String document = downcast + "-" + dtype.name().toLowerCase();
                byte[] bytes = ofDtype(document, 0, dtype);
                put(web, tenant, document, 0, bytes).expectStatus().isCreated();
                byte[] back = get(web, tenant, document, 0);
                if (dtype != DType.F32) {
                    assertThat(back).as(dtype.name()).isEqualTo(bytes);
                    continue;
                }
                assertThat(rawCheckpoint(document, 0).length).isLessThan(bytes.length * 2 / 3);
                Tensor sent = StateCodec.read(ByteBuffer.wrap(bytes)).tensor("state").orElseThrow();
                StateContainer got = StateCodec.read(ByteBuffer.wrap(back));
                assertThat(got.metadata()).isEqualTo(StateCodec.read(ByteBuffer.wrap(bytes)).metadata());
                Tensor read = got.tensor("state").orElseThrow();
                assertThat(read.dtype()).isEqualTo(DType.F32);
                assertThat(read.shape()).isEqualTo(sent.shape());
                FloatBuffer want = sent.data().asFloatBuffer();
                FloatBuffer have = read.data().asFloatBuffer();
                while (want.hasRemaining()) {
                    float expected = want.get();
                    double error = Math.abs(have.get() - (double) expected);
                    assertThat(error).isLessThanOrEqualTo(Math.abs(expected) >= 0x1.0p-14
                            ? Math.abs(expected) * relative : Math.max(absoluteBelowNormal, relative * 0x1.0p-14));
                }
                put(web, tenant, document, 0, bytes).expectStatus().isOk();
            }
        }
    }

    // ---- compare-and-set under concurrency and retries ----

    @Test
    void ofSixteenConcurrentWritersOfOneSegmentExactlyOneWins() {
        put(client(), tenant, "race", 0, Checkpoints.checkpoint(tenant, "race", 0)).expectStatus().isCreated();
        HeadResponse before = head("race");
        // four different checkpoints 1, each sent by four writers
        List<byte[]> variants = new ArrayList<>();
        for (int variant = 0; variant < 4; variant++) {
            variants.add(withTokens("race", 1, 1000 + variant));
        }
        WebClient web = WebClient.builder().baseUrl(server.baseUrl()).build();
        List<int[]> outcomes = Flux.range(0, 16)
                .flatMap(i -> web.put().uri("/v1/documents/race/checkpoints/1")
                        .header(RequestIds.TENANT_HEADER, tenant)
                        .contentType(MediaType.APPLICATION_OCTET_STREAM)
                        .bodyValue(variants.get(i % 4))
                        .exchangeToMono(response -> response.releaseBody()
                                .thenReturn(new int[] {i % 4, response.statusCode().value()})), 16)
                .collectList()
                .block(Duration.ofSeconds(60));

        List<int[]> created = outcomes.stream().filter(o -> o[1] == 201).toList();
        assertThat(created).hasSize(1);
        int winner = created.get(0)[0];
        for (int[] outcome : outcomes) {
            if (outcome[1] != 201) {
                // an identical checkpoint is an idempotent success, a different one a conflict
                assertThat(outcome[1]).isEqualTo(outcome[0] == winner ? 200 : 409);
            }
        }
        HeadResponse after = head("race");
        assertThat(after.segment()).isEqualTo(1);
        assertThat(after.version()).isEqualTo(before.version() + 1);
        assertThat(get(client(), tenant, "race", 1)).isEqualTo(variants.get(winner));
    }

    private byte[] withTokens(String document, long segment, long tokens) {
        Map<String, String> metadata = Checkpoints.metadata(tenant, document, segment);
        metadata.put("baton.tokens", Long.toString(tokens));
        return Checkpoints.bytes(Checkpoints.container(metadata, segment, 256));
    }

    @Test
    void aRetryAfterALostAcknowledgementIsIdempotent() throws Exception {
        put(client(), tenant, "lost", 0, Checkpoints.checkpoint(tenant, "lost", 0)).expectStatus().isCreated();
        byte[] bytes = Checkpoints.checkpoint(tenant, "lost", 1);
        // the client sends checkpoint 1 and goes away without reading the answer
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /v1/documents/lost/checkpoints/1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + RequestIds.TENANT_HEADER + ": " + tenant + "\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> head("lost").segment() == 1);
        }
        HeadResponse written = head("lost");
        RedisSnapshot before = RedisSnapshot.of(redis, tenant);

        put(client(), tenant, "lost", 1, bytes).expectStatus().isOk()
                .expectBody(HeadResponse.class).isEqualTo(written);
        assertThat(head("lost")).isEqualTo(written);
        assertThat(RedisSnapshot.of(redis, tenant).values()).isEqualTo(before.values());
        // and the document goes on from there
        put(client(), tenant, "lost", 2, Checkpoints.checkpoint(tenant, "lost", 2)).expectStatus().isCreated();
    }

    // ---- tenants and forks ----

    @Test
    void anotherTenantSeesNothing() {
        put(client(), tenant, "private", 0, Checkpoints.checkpoint(tenant, "private", 0)).expectStatus().isCreated();
        String other = newTenant();
        put(client(), other, "own", 0, checkpointOf(other, "own")).expectStatus().isCreated();
        RedisSnapshot before = RedisSnapshot.of(redis, tenant);

        for (String uri : List.of("/v1/documents/private/head", "/v1/documents/private/checkpoints/0")) {
            ApiTestSupport.assertProblem(client().get().uri(uri).header(RequestIds.TENANT_HEADER, other).exchange(),
                    HttpStatus.NOT_FOUND, "document-not-found");
        }
        ApiTestSupport.assertProblem(client().delete().uri("/v1/documents/private")
                .header(RequestIds.TENANT_HEADER, other).exchange(), HttpStatus.NOT_FOUND, "document-not-found");
        client().get().uri("/v1/documents").header(RequestIds.TENANT_HEADER, other).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.documents[*].document").isEqualTo(List.of("own"));
        client().get().uri("/v1/documents").header(RequestIds.TENANT_HEADER, tenant).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.documents[*].document").isEqualTo(List.of("private"));
        assertThat(RedisSnapshot.of(redis, tenant).values()).isEqualTo(before.values());
    }

    private static byte[] checkpointOf(String tenant, String document) {
        return Checkpoints.checkpoint(tenant, document, 0);
    }

    @Test
    void aForkLeavesTheSourceUnchanged() {
        byte[] zero = Checkpoints.checkpoint(tenant, "source", 0);
        put(client(), tenant, "source", 0, zero).expectStatus().isCreated();
        byte[] one = Checkpoints.checkpoint(tenant, "source", 1);
        put(client(), tenant, "source", 1, one).expectStatus().isCreated();
        RedisSnapshot before = RedisSnapshot.of(redis, tenant);

        client().post().uri("/v1/documents/source/checkpoints/0/fork").header(RequestIds.TENANT_HEADER, tenant)
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"to\":\"branch\"}").exchange()
                .expectStatus().isCreated()
                .expectBody().jsonPath("$.document").isEqualTo("branch").jsonPath("$.segment").isEqualTo(0);

        RedisSnapshot after = RedisSnapshot.of(redis, tenant);
        String sourcePrefix = "baton:{" + tenant + ":source}:";
        assertThat(only(after, sourcePrefix)).isEqualTo(only(before, sourcePrefix)).isNotEmpty();
        assertThat(get(client(), tenant, "source", 0)).isEqualTo(zero);
        assertThat(get(client(), tenant, "source", 1)).isEqualTo(one);
        StateContainer forked = StateCodec.read(ByteBuffer.wrap(get(client(), tenant, "branch", 0)));
        assertThat(forked.metadata()).containsEntry("baton.document", "branch");
        assertThat(forked.tensors()).containsExactlyElementsOf(StateCodec.read(ByteBuffer.wrap(zero)).tensors());
        put(client(), tenant, "branch", 1, Checkpoints.checkpoint(tenant, "branch", 1)).expectStatus().isCreated();
        assertThat(head("source").segment()).isEqualTo(1);
    }

    private static Map<String, String> only(RedisSnapshot snapshot, String prefix) {
        Map<String, String> kept = new LinkedHashMap<>(snapshot.values());
        kept.keySet().removeIf(key -> !key.startsWith(prefix));
        return kept;
    }

    // ---- bad input changes nothing in Redis ----

    @Test
    void everyBadInputLeavesRedisAsItWas() {
        put(client(), tenant, "doc", 0, Checkpoints.checkpoint(tenant, "doc", 0)).expectStatus().isCreated();
        byte[] next = Checkpoints.checkpoint(tenant, "doc", 1);
        Map<String, String> otherModel = Checkpoints.metadata(tenant, "doc", 1);
        otherModel.put("baton.model", "gemma2-tiny");
        byte[] tooLarge = Checkpoints.sized(Checkpoints.metadata(tenant, "doc", 1), 1, LIMIT + 4096);

        Map<String, Function<WebTestClient, WebTestClient.ResponseSpec>> bad = new LinkedHashMap<>();
        bad.put("truncated-container", web -> put(web, tenant, "doc", 1, Arrays.copyOf(next, next.length - 10)));
        bad.put("empty-body", web -> put(web, tenant, "doc", 1, new byte[0]));
        bad.put("payload-too-large", web -> put(web, tenant, "doc", 1, tooLarge));
        bad.put("model-mismatch", web -> put(web, tenant, "doc", 1,
                Checkpoints.bytes(Checkpoints.container(otherModel, 1, 64))));
        bad.put("invalid-segment -1", web -> put(web, tenant, "doc", "-1", next));
        bad.put("invalid-segment abc", web -> put(web, tenant, "doc", "abc", next));
        bad.put("invalid-id tenant", web -> put(web, "bad tenant", "doc", 1, next));
        bad.put("invalid-id document", web -> put(web, tenant, "bad$doc", 1, next));
        bad.put("missing-tenant", web -> web.put().uri("/v1/documents/doc/checkpoints/1")
                .contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(next).exchange());
        bad.put("checkpoint-conflict", web -> put(web, tenant, "doc", 2, Checkpoints.checkpoint(tenant, "doc", 2)));
        bad.put("checkpoint-metadata", web -> put(web, tenant, "doc", 1, Checkpoints.checkpoint(tenant, "doc", 3)));

        Map<String, HttpStatus> statuses = Map.of("model-mismatch", HttpStatus.CONFLICT,
                "checkpoint-conflict", HttpStatus.CONFLICT, "payload-too-large", HttpStatus.CONTENT_TOO_LARGE);
        for (var entry : bad.entrySet()) {
            RedisSnapshot before = RedisSnapshot.of(redis, tenant);
            assertThat(before.values()).isNotEmpty();
            String type = entry.getKey().equals("truncated-container") ? "state-format" : entry.getKey().split(" ")[0];
            ApiTestSupport.assertProblem(entry.getValue().apply(client()),
                    statuses.getOrDefault(type, HttpStatus.BAD_REQUEST), type);
            RedisSnapshot after = RedisSnapshot.of(redis, tenant);
            assertThat(after.values()).as(entry.getKey()).isEqualTo(before.values());
            assertThat(after.ttlNotRefreshedSince(before)).as(entry.getKey() + ": TTL refreshed").isTrue();
        }
        assertThat(head("doc").version()).isEqualTo(1);
    }

    @Test
    void aSixteenMegabyteCheckpointRoundTripsWithTheDefaultLimits() {
        // the IT server runs with a 2 MiB limit; the default configuration takes 16 MiB checkpoints
        try (MemoryServer defaults = MemoryServer.start(Map.of("baton.store.kind", "redis",
                "baton.redis.url", TestServers.redisUrl()))) {
            byte[] big = Checkpoints.sized(Checkpoints.metadata(tenant, "big", 0), 5, 16 << 20);
            WebTestClient web = WebTestClient.bindToServer().baseUrl(defaults.baseUrl())
                    .responseTimeout(Duration.ofSeconds(60))
                    .codecs(c -> c.defaultCodecs().maxInMemorySize(32 << 20)).build();
            put(web, tenant, "big", 0, big).expectStatus().isCreated();
            assertThat(get(web, tenant, "big", 0)).isEqualTo(big);
            assertThat(rawCheckpoint("big", 0)).isEqualTo(big);
        }
    }
}
