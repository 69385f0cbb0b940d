package io.baton.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.baton.common.testing.SpringServer;
import io.baton.common.testing.TestServers;
import io.baton.gateway.summarize.SummaryResponse;
import io.baton.memory.store.CheckpointStore;
import io.baton.memory.store.DocumentSummary;
import io.baton.memory.store.redis.RedisCheckpointStore;
import io.baton.protocol.BatonHeaders;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * A summary's temporary document is deleted from the real store (Redis) when the summary is done,
 * when it fails after segments were stored, and when its client goes away part way. The tenant is
 * fresh, so its document list holds only what these summaries stored. Generation is limited to
 * 16 tokens here while an abstractive summary of 2,000 words asks for more, so that summary fails
 * after the whole text was stored.
 */
class SummaryCleanupIT {

    static final String TENANT = "cleanup-" + UUID.randomUUID();
    static final String TEXT = Standalone.mobyDick(600_000, 3_000);

    static SpringServer server;
    static WebTestClient client;
    static CheckpointStore store;

    @BeforeAll
    static void start() {
        String redis = TestServers.redisUrl();
        server = SpringServer.start(BatonStandalone.class, Map.of("baton.mode", "standalone",
                "server.address", "127.0.0.1", "baton.store.kind", "redis", "baton.redis.url", redis, "baton.access.tenant", TENANT,
                "baton.generation.max-tokens", "16", "baton.summaries.abstractive.max-tokens", "100000"));
        client = Standalone.client(server.baseUrl());
        store = server.bean(CheckpointStore.class);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static List<DocumentSummary> stored() {
        return store.list(TENANT, null, 1000).block(Duration.ofSeconds(10)).documents();
    }

    @Test
    void theStoreIsRedis() {
        assertThat(store).isInstanceOf(RedisCheckpointStore.class);
    }

    @Test
    void aFinishedSummaryLeavesNothingBehind() {
        SummaryResponse summary = client.post().uri("/v1/summaries").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("text", TEXT, "sentences", 2))
                .exchange()
                .expectStatus().isOk()
                .expectBody(SummaryResponse.class).returnResult().getResponseBody();
        assertThat(summary.stats().segments()).isGreaterThan(1);
        assertThat(stored()).isEmpty();

        client.post().uri("/v1/summaries").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("text", TEXT, "mode", "abstractive", "words", 1))
                .exchange()
                .expectStatus().isOk();
        assertThat(stored()).isEmpty();
    }

    @Test
    void aSummaryThatFailsAfterItsSegmentsWereStoredLeavesNothingBehind() {
        client.post().uri("/v1/summaries").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("text", TEXT, "mode", "abstractive", "words", 2_000))
                .exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("urn:baton:problem:segment-too-long");
        assertThat(stored()).isEmpty();
    }

    @Test
    void aSummaryWhoseClientWentAwayLeavesNothingBehind() {
        List<ServerSentEvent<Map<String, Object>>> first = WebClient.create(server.baseUrl())
                .post().uri("/v1/summaries").contentType(MediaType.APPLICATION_JSON).accept(MediaType.TEXT_EVENT_STREAM)
                .bodyValue(Map.of("text", Standalone.mobyDick(700_000, 60_000)))
                .retrieve()
                .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>>() {
                })
                .take(2)
                .collectList().block(Duration.ofMinutes(1));
        assertThat(first).hasSize(2).allSatisfy(event -> assertThat(event.event()).isEqualTo("progress"));
        await().atMost(Duration.ofMinutes(1)).until(() -> stored().isEmpty());
    }

    @Test
    void aSummaryWhoseDeadlinePassedLeavesNothingBehind() {
        // Clean-up is not the request's work: it must run after the deadline that ended the run.
        client.post().uri("/v1/summaries").contentType(MediaType.APPLICATION_JSON)
                .header(BatonHeaders.TIME_LEFT_MS, "1500")
                .bodyValue(Map.of("text", Standalone.mobyDick(700_000, 60_000)))
                .exchange()
                .expectStatus().isEqualTo(504)
                .expectBody().jsonPath("$.type").isEqualTo("urn:baton:problem:deadline-exceeded");
        await().atMost(Duration.ofMinutes(1)).until(() -> stored().isEmpty());
    }
}
