package io.baton.memory.checkpoints;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.memory.Checkpoints;
import io.baton.memory.MemoryServer;
import io.baton.memory.store.DocumentKey;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Where a write's work over the body runs: the digest of a large body (SHA-256 of every byte, on
 * every write, encoding or not) on the encoding scheduler, never on the thread that delivered the
 * body (an event loop over HTTP); a small one inline, where the hop would cost more.
 */
class CheckpointServiceThreadsTest {

    private static final String TENANT = "acme";
    private static MemoryServer server;
    private static CheckpointService service;

    @BeforeAll
    static void start() {
        server = MemoryServer.start(Map.of("baton.store.kind", "memory", "logging.level.root", "warn"));
        service = server.bean(CheckpointService.class);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aLargeBodyIsHashedOnTheEncodingScheduler() {
        byte[] body = Checkpoints.exactly(Checkpoints.metadata(TENANT, "large", 0), 1, 668_000);

        String thread = service.write(new DocumentKey(TENANT, "large"), 0, body)
                .map(written -> Thread.currentThread().getName())
                .block(Duration.ofSeconds(10));

        assertThat(thread).startsWith("baton-encoding");
    }

    @Test
    void aSmallBodyStaysOnTheCallingThread() {
        byte[] body = Checkpoints.checkpoint(TENANT, "small", 0);

        String thread = service.write(new DocumentKey(TENANT, "small"), 0, body)
                .map(written -> Thread.currentThread().getName())
                .block(Duration.ofSeconds(10));

        assertThat(thread).isEqualTo(Thread.currentThread().getName());
    }
}
