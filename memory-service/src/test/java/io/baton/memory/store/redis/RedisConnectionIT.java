package io.baton.memory.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.baton.common.redis.RedisSettings;
import io.baton.memory.MemoryProperties;
import io.baton.memory.store.CheckpointRecord;
import io.baton.memory.store.DocumentKey;
import io.baton.memory.store.StorePolicy;
import io.baton.memory.store.StoreUnavailableException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connection settings against redis-server processes this test starts itself (on free ports, no
 * persistence) and stops afterwards: AUTH with a password and with an ACL user, a wrong password,
 * and a store that comes up before Redis does, loses it, and recovers.
 */
class RedisConnectionIT {

    private static final StorePolicy POLICY = new StorePolicy(3, Duration.ofMinutes(5), 0);
    private static final String PASSWORD = "secret";
    /** The commands the store's ACL user needs, as docs/state-store.md lists them. */
    private static final String ACL_COMMANDS = "evalsha eval hgetall hget hset hdel get set del rename strlen pexpire pexpireat pttl "
            + "exists time hscan ping hello auth hincrby zadd zrem zrangebyscore";
    private static final List<Process> servers = new ArrayList<>();
    private static int port;
    /** The servers' folders (logs), deleted by JUnit after the class, once {@link #stopServers} ran. */
    @TempDir
    static Path folders;

    private final List<RedisCheckpointStore> stores = new ArrayList<>();

    @BeforeAll
    static void startServerWithPassword() throws Exception {
        port = freePort();
        start(port, "--requirepass", PASSWORD);
    }

    @AfterAll
    static void stopServers() {
        servers.forEach(RedisConnectionIT::stop);
    }

    @AfterEach
    void closeStores() {
        stores.forEach(RedisCheckpointStore::close);
    }

    @Test
    void aPasswordInTheUrlAuthenticates() {
        RedisCheckpointStore store = store("redis://:" + PASSWORD + "@127.0.0.1:" + port, Duration.ofSeconds(5));
        roundTrip(store, new DocumentKey("auth", "password"));
    }

    @Test
    void anAclUserAndPasswordInTheUrlAuthenticate() {
        RedisClient admin = RedisClient.create();
        try (StatefulRedisConnection<String, String> connection =
                     admin.connect(RedisURI.create("redis://:" + PASSWORD + "@127.0.0.1:" + port))) {
            // exactly the rights docs/state-store.md lists for the service's ACL user
            CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).add("SETUSER").add("baton")
                    .add("reset").add("on").add(">pw").add("~baton:*").add("-@all");
            for (String command : ACL_COMMANDS.split(" ")) {
                args.add("+" + command);
            }
            assertThat(connection.sync().dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8), args)).isEqualTo("OK");
        } finally {
            admin.shutdown();
        }
        RedisCheckpointStore store = store("redis://baton:pw@127.0.0.1:" + port, Duration.ofSeconds(5));
        DocumentKey key = new DocumentKey("auth", "acl-user");
        roundTrip(store, key);
        store.put(key, record(0)).block();
        store.put(key, record(1)).block();
        assertThat(store.fork(key, 0, key.sibling("forked"), b -> b).block().segment()).isZero();
        assertThat(store.list("auth", null, 10).block().documents()).hasSize(2);
        assertThat(store.delete(key).block()).isTrue();
        assertThat(store.delete(key.sibling("forked")).block()).isTrue();
    }

    @Test
    void aWrongPasswordIsStoreUnavailable() {
        RedisCheckpointStore store = store("redis://:wrong@127.0.0.1:" + port, Duration.ofSeconds(5));
        assertThatThrownBy(() -> store.head(new DocumentKey("auth", "doc")).block())
                .isInstanceOf(StoreUnavailableException.class);
    }

    @Test
    void aStoreStartedBeforeRedisConnectsOnceRedisIsUpAndRecoversAfterLosingIt() throws Exception {
        int late = freePort();
        RedisCheckpointStore store = store("redis://127.0.0.1:" + late, Duration.ofSeconds(1));
        DocumentKey key = new DocumentKey("late", "doc");
        assertThatThrownBy(() -> store.head(key).block()).isInstanceOf(StoreUnavailableException.class);

        Process server = start(late);
        roundTrip(store, key);

        stop(server);
        assertThatThrownBy(() -> store.put(key, record(1)).block()).isInstanceOf(StoreUnavailableException.class);

        start(late);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> store.head(key).block() == null);   // a fresh server without persistence
        roundTrip(store, key);
    }

    // ---- helpers ----

    private RedisCheckpointStore store(String url, Duration timeout) {
        RedisCheckpointStore store = RedisCheckpointStore.open(
                new MemoryProperties.Redis(url, "standalone", timeout, true, RedisSettings.Tls.NONE).settings(), POLICY);
        stores.add(store);
        return store;
    }

    private static void roundTrip(RedisCheckpointStore store, DocumentKey key) {
        assertThat(store.put(key, record(0)).block().created()).isTrue();
        assertThat(store.checkpoint(key, 0).block().stored()).isEqualTo(record(0).stored());
        assertThat(store.delete(key).block()).isTrue();
    }

    private static CheckpointRecord record(long n) {
        byte[] stored = ("state " + n).getBytes(StandardCharsets.UTF_8);
        return new CheckpointRecord(n, n + 1, "m", "d", stored.length, stored);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Starts redis-server in the foreground on the port and waits until it answers. */
    private static Process start(int port, String... options) throws IOException {
        Path dir = Files.createDirectories(folders.resolve("redis-" + port));
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString()));
        command.addAll(List.of(options));
        Process server;
        try {
            server = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile()).start();
        } catch (IOException e) {
            String why = "redis-server is not on the PATH, so the AUTH and reconnect tests cannot start their own Redis";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(why, e);
            }
            System.err.println("!!! SKIPPING RedisConnectionIT: " + why + " !!!");
            Assumptions.abort(why);
            throw e;
        }
        servers.add(server);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                return server.isAlive();
            } catch (IOException e) {
                return false;
            }
        });
        return server;
    }

    private static void stop(Process server) {
        server.destroy();
        try {
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
