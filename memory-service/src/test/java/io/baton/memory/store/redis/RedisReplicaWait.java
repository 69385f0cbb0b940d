package io.baton.memory.store.redis;

import io.baton.common.redis.RedisConnection;
import io.baton.memory.store.CheckpointRecord;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** What the tests of {@code baton.redis.wait-replicas} share: records, direct node access, a paused replica. */
final class RedisReplicaWait {

    static final String MODEL = "jamba-tiny";
    static final String DIGEST = "3f2a9c0d5e8b7a61f4c2d9e0b1a3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f3a5b7";

    private RedisReplicaWait() {
    }

    static CheckpointRecord record(long n, String content) {
        byte[] stored = content.getBytes(StandardCharsets.UTF_8);
        return new CheckpointRecord(n, 64 * (n + 1), MODEL, DIGEST, stored.length, stored);
    }

    /** Asks the node on {@code port} directly (a replica answers reads; in a Cluster after READONLY). */
    static <T> T onNode(int port, Function<StatefulRedisConnection<String, String>, T> ask) {
        return onNode(RedisURI.create("redis://127.0.0.1:" + port), ask);
    }

    /** {@link #onNode(int, Function)} at {@code uri} (a password, TLS). */
    static <T> T onNode(RedisURI uri, Function<StatefulRedisConnection<String, String>, T> ask) {
        RedisClient client = RedisClient.create();
        try (StatefulRedisConnection<String, String> node = client.connect(StringCodec.UTF8, uri)) {
            return ask.apply(node);
        } finally {
            RedisConnection.shutdown(client);
        }
    }

    /**
     * Stops the redis-server on {@code port} (SIGSTOP): it keeps its connections but answers
     * nothing, so its primary counts it among the replicas but gets no acknowledgement from it.
     * Closing the returned handle lets it run on (SIGCONT).
     */
    static AutoCloseable pause(int port) throws IOException, InterruptedException {
        String pid = onNode(port, node -> node.sync().info("server")).lines()
                .filter(line -> line.startsWith("process_id:")).findFirst().orElseThrow().substring(11).trim();
        signal("STOP", pid);
        return () -> signal("CONT", pid);
    }

    private static void signal(String signal, String pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, pid).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
        }
    }
}
