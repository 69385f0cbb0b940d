package io.baton.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.common.testing.SpringServer;
import io.baton.common.testing.TestServers;
import io.baton.gateway.GatewayServiceApplication;
import io.baton.inference.InferenceServiceApplication;
import io.baton.memory.MemoryServiceApplication;
import io.baton.memory.store.CheckpointStore;
import io.baton.memory.store.DocumentKey;
import io.baton.memory.store.DocumentPage;
import io.baton.protocol.inference.HttpInferenceClient;
import io.baton.protocol.inference.InferenceClient;
import io.baton.standalone.BatonStandalone;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * One tenant over its byte quota, in distributed mode (gateway, inference and memory over HTTP,
 * Redis behind memory) and in standalone mode (one JVM, the same Redis): its next document is
 * answered 507 {@code quota-exceeded} by the gateway, as the memory service answered it, and
 * inference is asked once (no retry); another tenant's next document goes through, and the
 * gateway's circuit breaker stays closed.
 */
class QuotaIT {

    /** About three checkpoints of gemma2-tiny (32 KB of state each). */
    static final String QUOTA = "100000";
    static final String TEXT = "Call me Ishmael. Some years ago, never mind how long precisely, I went to sea.";

    /** Tenants by name, each with its own API key; the two modes share Redis, so each has its own pair. */
    static final Map<String, String> KEYS = new HashMap<>();
    static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    static SpringServer memory;
    static SpringServer inference;
    static InferenceProxy proxy;
    static SpringServer gateway;
    static SpringServer standalone;

    @BeforeAll
    static void start() {
        String redis = TestServers.redisUrl();
        memory = SpringServer.start(MemoryServiceApplication.class, Map.of("server.address", "127.0.0.1",
                "baton.store.kind", "redis", "baton.redis.url", redis, "baton.limits.tenant-quota-bytes", QUOTA));
        inference = SpringServer.start(InferenceServiceApplication.class, Map.of("server.address", "127.0.0.1",
                "baton.memory.url", memory.baseUrl(), "baton.models.default-model", "gemma2-tiny"));
        proxy = InferenceProxy.start(inference.baseUrl());
        Map<String, String> gatewaySettings = keys();
        gatewaySettings.putAll(Map.of("baton.inference.url", proxy.baseUrl(), "baton.memory.url", memory.baseUrl(),
                "baton.models.default-model", "gemma2-tiny"));
        gateway = SpringServer.start(GatewayServiceApplication.class, gatewaySettings);

        Map<String, String> standaloneSettings = keys();
        standaloneSettings.putAll(Map.of("baton.mode", "standalone", "server.address", "127.0.0.1",
                "baton.store.kind", "redis", "baton.redis.url", redis, "baton.limits.tenant-quota-bytes", QUOTA,
                "baton.models.default-model", "gemma2-tiny"));
        standalone = SpringServer.start(BatonStandalone.class, standaloneSettings);
    }

    /** API keys of every tenant of the test. */
    static Map<String, String> keys() {
        Map<String, String> settings = new HashMap<>();
        for (String mode : new String[] {"distributed", "standalone"}) {
            for (String tenant : new String[] {"full", "other"}) {
                KEYS.computeIfAbsent(tenant(tenant, mode), t -> "key-" + UUID.randomUUID());
            }
        }
        KEYS.forEach((tenant, key) -> settings.put("baton.access.api-keys[" + tenant + "]", key));
        return settings;
    }

    static String tenant(String name, String mode) {
        return name + "-" + mode + "-" + RUN;
    }

    static String key(String name, String mode) {
        return KEYS.get(tenant(name, mode));
    }

    @AfterAll
    static void stop() {
        if (memory != null) {
            CheckpointStore store = memory.bean(CheckpointStore.class);
            for (String tenant : KEYS.keySet()) {
                store.list(tenant, null, 1000).flatMapIterable(DocumentPage::documents)
                        .concatMap(document -> store.delete(new DocumentKey(tenant, document.document())))
                        .blockLast(Duration.ofSeconds(30));
            }
        }
        for (AutoCloseable closeable : new AutoCloseable[] {standalone, gateway, proxy, inference, memory}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                System.err.println("closing " + closeable + " failed: " + e);
            }
        }
    }

    @Test
    void distributed() {
        int callsBefore = proxy.segmentCalls();
        Map<String, Object> refused = fillQuota(gateway, key("full", "distributed"));
        assertThat(proxy.segmentCalls() - callsBefore).as("one call per ingest: the refused segment is not retried")
                .isEqualTo(((Number) refused.get("ingests")).intValue());
        assertThat(breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        ingest(gateway, key("other", "distributed"), "next").expectStatus().isCreated();
    }

    @Test
    void standalone() {
        fillQuota(standalone, key("full", "standalone"));
        ingest(standalone, key("other", "standalone"), "next").expectStatus().isCreated();
    }

    /**
     * Ingests one-segment documents for the full tenant until the quota refuses one; returns the
     * refusal's problem with the number of ingests tried ({@code ingests}).
     */
    static Map<String, Object> fillQuota(SpringServer server, String key) {
        for (int i = 1; i <= 20; i++) {
            EntityExchangeResult<Map<String, Object>> result = ingest(server, key, "doc-" + i)
                    .expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
                    }).returnResult();
            if (result.getStatus().value() == 201) {
                continue;
            }
            Map<String, Object> problem = new HashMap<>(result.getResponseBody());
            assertThat(result.getStatus().value()).as(problem.toString()).isEqualTo(507);
            assertThat(problem).containsEntry("type", "urn:baton:problem:quota-exceeded").containsEntry("status", 507)
                    .containsEntry("quota", Integer.parseInt(QUOTA));
            assertThat(i).as("documents stored before the quota was reached").isGreaterThan(1);
            problem.put("ingests", i);
            return problem;
        }
        throw new AssertionError("20 documents of one tenant never reached a quota of " + QUOTA + " bytes");
    }

    static WebTestClient.ResponseSpec ingest(SpringServer server, String key, String id) {
        return WebTestClient.bindToServer().baseUrl(server.baseUrl()).responseTimeout(Duration.ofMinutes(1)).build()
                .post().uri("/v1/documents").header("X-API-Key", key).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("id", id, "text", TEXT)).exchange();
    }

    static CircuitBreaker breaker() {
        return ((HttpInferenceClient) gateway.bean(InferenceClient.class)).guard().breaker();
    }
}
