package io.baton.memory.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.baton.common.testing.Meters;
import io.baton.common.testing.TestServers;
import io.baton.memory.Checkpoints;
import io.baton.memory.MemoryServer;
import io.baton.memory.store.CheckpointRecord;
import io.baton.protocol.client.ClientSettings;
import io.baton.protocol.memory.HttpMemoryClient;
import io.baton.protocol.memory.MemoryClient;
import io.baton.protocol.problems.ProblemType;
import io.baton.protocol.problems.ServiceCallException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * How many calls one memory client (the inference service's, {@link HttpMemoryClient}) carries at
 * once: with pipelined segments and puts ahead, 32 documents with 4 segments in flight each hold
 * up to 128 puts open in the memory service while they wait for their parents. They all wait at
 * once, none queued behind a connection: the client's connections are Reactor Netty's pool for
 * {@code HttpClient.create()}, 500 of them (not the {@code 2 x max(cores, 8)} of a named
 * {@code ConnectionProvider}, which docs/performance.md once assumed).
 */
class MemoryClientConnectionsIT {

    private static final int PUTS = 32 * 4;

    @Test
    void oneClientHoldsAPutAheadForEverySegmentInFlightOfThirtyTwoDocumentsAtOnce() {
        String tenant = "it-" + UUID.randomUUID();
        try (MemoryServer server = MemoryServer.start(Map.of("baton.store.kind", "redis",
                "baton.redis.url", TestServers.redisUrl(), "baton.limits.max-parent-wait", "30s"))) {
            MemoryClient client = HttpMemoryClient.create(new ClientSettings(server.baseUrl(), Duration.ofSeconds(60), 0,
                    Duration.ZERO, null, null, null), 1 << 20);
            // checkpoint 0 of each document stored; then checkpoint 2, put ahead of a checkpoint 1 that never comes
            List<CompletableFuture<Throwable>> puts = IntStream.range(0, PUTS).mapToObj(d -> {
                String document = "d" + d;
                client.put(tenant, document, 0, Checkpoints.checkpoint(tenant, document, 0), null)
                        .block(Duration.ofSeconds(30));
                String parent = CheckpointRecord.digest(Checkpoints.checkpoint(tenant, document, 1));
                return client.put(tenant, document, 2, Checkpoints.checkpoint(tenant, document, 2), parent,
                                Duration.ofSeconds(8))
                        .<Throwable>map(stored -> new AssertionError("stored without its parent"))
                        .onErrorResume(refused -> Mono.just(refused))
                        .toFuture();
            }).toList();

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(
                    Meters.scrape(server.baseUrl()).value("baton_state_parent_waiting"))
                    .as("puts ahead waiting in the memory service at once").isEqualTo(PUTS));

            // the parents never come: once the wait runs out every put is refused as not next, by the memory service
            for (CompletableFuture<Throwable> put : puts) {
                assertThat(put.join()).isInstanceOfSatisfying(ServiceCallException.class,
                        refused -> assertThat(refused.type()).isEqualTo(ProblemType.CHECKPOINT_CONFLICT));
            }
        }
    }
}
