package io.baton.memory.store.redis;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.common.redis.RedisSettings;
import io.baton.memory.MemoryProperties;
import io.baton.memory.store.CheckpointRecord;
import io.baton.memory.store.DocumentKey;
import io.baton.memory.store.StorePolicy;
import io.baton.memory.store.StoreUnavailableException;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** With nothing listening where Redis should be, every operation fails as store-unavailable. */
class RedisCheckpointStoreUnavailableTest {

    private RedisCheckpointStore store;

    @BeforeEach
    void pointAtAClosedPort() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        store = RedisCheckpointStore.open(
                new MemoryProperties.Redis("redis://127.0.0.1:" + port, "standalone", Duration.ofSeconds(2), true, RedisSettings.Tls.NONE).settings(),
                new StorePolicy(3, Duration.ofHours(1), 1000));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void everyOperationFailsAsStoreUnavailable() {
        DocumentKey key = new DocumentKey("tenant", "doc");
        byte[] bytes = "x".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> store.head(key).block()).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> store.checkpoint(key, 0).block()).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> store.put(key, new CheckpointRecord(0, 1, "m", "d", 1, bytes)).block())
                .isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> store.fork(key, 0, key.sibling("copy"), b -> b).block())
                .isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> store.list("tenant", null, 10).block()).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> store.delete(key).block()).isInstanceOf(StoreUnavailableException.class);
    }
}
