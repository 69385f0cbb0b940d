package io.baton.common.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.reactive.RedisClusterReactiveCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * One Lettuce connection to Redis (standalone, Sentinel or Cluster) with keys as UTF-8 strings and
 * values as raw bytes, opened lazily: the first command connects, and a failed attempt is retried
 * by the next command, so the service starts, and recovers, while Redis is down. Once connected,
 * Lettuce reconnects by itself (to the new primary after a Sentinel failover; along the refreshed
 * topology in a Cluster). One connection is shared by every request: Lettuce pipelines commands
 * over it without blocking.
 *
 * <p>{@link #close()} closes the connection, the client and its Netty resources.
 */
public final class RedisConnection implements AutoCloseable {

    /** Keys are UTF-8 strings; values (stored bytes, Lua arguments and replies) are raw bytes. */
    public static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private static final Logger log = LoggerFactory.getLogger(RedisConnection.class);

    private final RedisSettings settings;
    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final AtomicReference<CompletableFuture<StatefulConnection<String, byte[]>>> current = new AtomicReference<>();
    private final AtomicBoolean reportedDown = new AtomicBoolean();
    private volatile boolean closed;

    private RedisConnection(RedisSettings settings) {
        this.settings = settings;
        this.resources = DefaultClientResources.create();
        if (settings.mode() == RedisSettings.Mode.CLUSTER) {
            RedisClusterClient cluster = RedisClusterClient.create(resources, settings.uris());
            cluster.setOptions(settings.clusterClientOptions());
            this.client = cluster;
        } else {
            RedisClient standalone = RedisClient.create(resources);
            standalone.setOptions(settings.clientOptions());
            this.client = standalone;
        }
    }

    /** A client for these settings; nothing connects until the first command. */
    public static RedisConnection open(RedisSettings settings) {
        return new RedisConnection(settings);
    }

    public RedisSettings settings() {
        return settings;
    }

    /**
     * The reactive commands of the connection, connecting first if needed. Fails with Lettuce's
     * {@code RedisConnectionException} when Redis cannot be reached (the next call tries again).
     */
    public Mono<RedisClusterReactiveCommands<String, byte[]>> commands() {
        return Mono.defer(() -> {
            if (closed) {
                return Mono.error(new IllegalStateException("the Redis connection is closed"));
            }
            CompletableFuture<StatefulConnection<String, byte[]>> connection = current.get();
            if (connection == null || connection.isCompletedExceptionally()) {
                CompletableFuture<StatefulConnection<String, byte[]>> fresh = new CompletableFuture<>();
                if (current.compareAndSet(connection, fresh)) {
                    connect(fresh);
                    connection = fresh;
                } else {
                    connection = current.get();
                }
            }
            return Mono.fromFuture(connection, true).map(RedisConnection::reactive);
        });
    }

    /**
     * Runs a script by its digest (EVALSHA), sending its text (EVAL) only when the server does not
     * have it yet ({@code NOSCRIPT}: a restarted server, or each node of a cluster the first time).
     * In a cluster the script goes to the node of its first key; every key it touches must be in
     * {@code keys} and share that key's slot.
     */
    public <T> Mono<T> run(RedisScript script, ScriptOutputType type, String[] keys, byte[]... args) {
        return commands().flatMap(c -> c.<T>evalsha(script.sha1(), type, keys, args).next()
                .onErrorResume(RedisNoScriptException.class, e -> c.<T>eval(script.body(), type, keys, args).next()));
    }

    private void connect(CompletableFuture<StatefulConnection<String, byte[]>> target) {
        CompletableFuture<? extends StatefulConnection<String, byte[]>> attempt;
        if (client instanceof RedisClusterClient cluster) {
            // connectAsync, unlike connect, does not load the topology: without it every attempt
            // fails with "Partitions not initialized". Load it (from the seeds, without blocking)
            // first; a retry after a failure loads it again.
            attempt = cluster.refreshPartitionsAsync().toCompletableFuture()
                    .thenCompose(loaded -> cluster.connectAsync(CODEC));
        } else {
            attempt = ((RedisClient) client).connectAsync(CODEC, settings.uris().get(0)).toCompletableFuture();
        }
        attempt.whenComplete((connection, thrown) -> {
            if (thrown != null) {
                Throwable failure = thrown instanceof CompletionException && thrown.getCause() != null ? thrown.getCause() : thrown;
                if (reportedDown.compareAndSet(false, true)) {
                    log.warn("cannot connect to Redis ({}): {}; requests fail with store-unavailable until it answers",
                            settings.describe(), reason(failure));
                } else {
                    log.debug("still cannot connect to Redis: {}", reason(failure));
                }
                target.completeExceptionally(failure);
            } else if (closed) {
                connection.closeAsync();
                target.completeExceptionally(new IllegalStateException("the Redis connection is closed"));
            } else {
                reportedDown.set(false);
                log.info("connected to Redis: {}", settings.describe());
                target.complete(connection);
            }
        });
    }

    /**
     * Why a command or a connection failed, for a log line or a problem's detail: the failure's own
     * message, followed by its root cause's when that says more. Lettuce's "Unable to connect to
     * host:port" hides the reason in its cause: a TLS handshake refused ("PKIX path building failed:
     * ... unable to find valid certification path", "Received fatal alert: certificate_required"),
     * a refused connection, a wrong password. No class names: it may become a problem's detail, which
     * never shows exceptions.
     */
    public static String reason(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = String.valueOf(failure.getMessage());
        if (root == failure || root.getMessage() == null || message.contains(root.getMessage())) {
            return message;
        }
        return message + ": " + root.getMessage();
    }

    @SuppressWarnings("unchecked")
    private static RedisClusterReactiveCommands<String, byte[]> reactive(StatefulConnection<String, byte[]> connection) {
        if (connection instanceof StatefulRedisClusterConnection<?, ?> cluster) {
            return ((StatefulRedisClusterConnection<String, byte[]>) cluster).reactive();
        }
        return ((StatefulRedisConnection<String, byte[]>) connection).reactive();
    }

    @Override
    public void close() {
        closed = true;
        CompletableFuture<StatefulConnection<String, byte[]>> connection = current.getAndSet(null);
        if (connection != null) {
            connection.thenAccept(StatefulConnection::closeAsync);
        }
        shutdown(client);
        resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    /**
     * Shuts a Lettuce client down (its connections closed, its event loops given 2 s), waiting at
     * most 5 s. Lettuce's own blocking {@code shutdown} waits for that without a bound, and when a
     * connection's close never completes (Lettuce issue 2278, "shutdown() never ends sometimes") it
     * never returns: a service that would not stop, or a test run that hangs until CI kills it. A
     * shutdown that takes longer is logged and left to finish in the background.
     */
    public static void shutdown(AbstractRedisClient client) {
        try {
            client.shutdownAsync(0, 2, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            log.warn("a Redis client did not shut down within 5 s; left to finish in the background");
        } catch (ExecutionException e) {
            log.warn("a Redis client's shutdown failed: {}", reason(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
