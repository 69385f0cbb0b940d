package io.baton.memory.store.redis;

import io.baton.memory.MemoryProperties;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Where and how to connect to Redis, worked out from {@link MemoryProperties.Redis} and checked
 * before anything connects, so that a wrong setting fails at start-up with a message naming it.
 *
 * <ul>
 *   <li>{@code mode=standalone} with one URL: {@code redis://[user:password@]host:port[/db]},
 *       {@code rediss://...} for TLS; or a Sentinel URL {@code redis-sentinel://[password@]s1:26379,
 *       s2:26379/0#master} ({@code rediss-sentinel://} for TLS), which gives {@link Mode#SENTINEL}.
 *   <li>{@code mode=sentinel}: the same, but the URL must be a Sentinel URL.
 *   <li>{@code mode=cluster}: seed nodes separated by commas, each a full URL, or after the first
 *       just {@code host:port}, which takes the scheme and credentials of the first.
 * </ul>
 * {@code timeout} bounds connecting and every command. {@code verifyPeer=false} turns off TLS
 * certificate and host name checks (test set-ups only); {@code true} leaves the URL's own setting
 * ({@code ?verifyPeer=...}, full verification by default).
 *
 * @param mode    how the nodes are to be used
 * @param uris    one URI (standalone, Sentinel) or the cluster's seed nodes
 * @param timeout connect and command timeout
 */
public record RedisSettings(Mode mode, List<RedisURI> uris, Duration timeout) {

    /** How the store talks to Redis. */
    public enum Mode {
        /** One server (a primary; replicas are not read from). */
        STANDALONE,
        /** The primary named by Sentinels, found again after a failover. */
        SENTINEL,
        /** A Redis Cluster; commands are routed by key slot. */
        CLUSTER
    }

    public RedisSettings {
        Objects.requireNonNull(mode, "mode");
        uris = List.copyOf(uris);
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("no Redis URL");
        }
        Objects.requireNonNull(timeout, "timeout");
    }

    /** The settings {@code baton.redis.*} describe. */
    public static RedisSettings from(MemoryProperties.Redis redis) {
        String url = redis.url() == null ? "" : redis.url().trim();
        if (url.isEmpty()) {
            throw new IllegalArgumentException("baton.redis.url is empty; set it (BATON_REDIS_URL), e.g. redis://127.0.0.1:6379");
        }
        Duration timeout = redis.timeout();
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("baton.redis.timeout must be positive, was " + timeout);
        }
        String mode = redis.mode() == null ? "standalone" : redis.mode().trim().toLowerCase(Locale.ROOT);
        List<RedisURI> uris;
        Mode resolved;
        switch (mode) {
            case "standalone", "sentinel" -> {
                RedisURI uri = parse(url);
                boolean sentinel = !uri.getSentinels().isEmpty();
                if (mode.equals("sentinel") && !sentinel) {
                    throw new IllegalArgumentException("baton.redis.mode=sentinel needs a Sentinel URL "
                            + "(redis-sentinel://host:26379,host2:26379/0#master), not " + uri);
                }
                uris = List.of(uri);
                resolved = sentinel ? Mode.SENTINEL : Mode.STANDALONE;
            }
            case "cluster" -> {
                uris = seeds(url);
                resolved = Mode.CLUSTER;
            }
            default -> throw new IllegalArgumentException("baton.redis.mode '" + redis.mode()
                    + "' is not known; use standalone, sentinel or cluster");
        }
        for (RedisURI uri : uris) {
            uri.setTimeout(timeout);
            if (!redis.verifyPeer()) {
                uri.setVerifyPeer(SslVerifyMode.NONE);
            }
        }
        return new RedisSettings(resolved, uris, timeout);
    }

    private static List<RedisURI> seeds(String url) {
        String[] parts = url.split(",");
        URI first = URI.create(parts[0].trim());
        if (first.getScheme() == null || first.getScheme().contains("sentinel")) {
            throw new IllegalArgumentException("baton.redis.mode=cluster needs redis:// or rediss:// seed URLs, not " + parts[0]);
        }
        String inherited = first.getScheme() + "://" + (first.getRawUserInfo() == null ? "" : first.getRawUserInfo() + "@");
        List<RedisURI> seeds = new ArrayList<>();
        for (String part : parts) {
            String seed = part.trim();
            if (seed.isEmpty()) {
                throw new IllegalArgumentException("baton.redis.url has an empty seed node: " + url.replaceAll("//[^@/]*@", "//***@"));
            }
            RedisURI uri = parse(seed.contains("://") ? seed : inherited + seed);
            if (!uri.getSentinels().isEmpty()) {
                throw new IllegalArgumentException("a Sentinel URL cannot be a cluster seed: " + uri);
            }
            seeds.add(uri);
        }
        return seeds;
    }

    private static RedisURI parse(String url) {
        try {
            return RedisURI.create(url);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("baton.redis.url '" + url.replaceAll("//[^@/]*@", "//***@")
                    + "' is not a Redis URL: " + e.getMessage(), e);
        }
    }

    /** Options of a standalone or Sentinel client: timeouts on connecting and on every command. */
    public ClientOptions clientOptions() {
        return ClientOptions.builder()
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
                .build();
    }

    /**
     * Options of a Cluster client: the same timeouts, and the topology refreshed every 30 s and
     * whenever a redirect or reconnect shows it moved (failover, resharding).
     */
    public ClusterClientOptions clusterClientOptions() {
        return ClusterClientOptions.builder()
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(Duration.ofSeconds(30))
                        .enableAllAdaptiveRefreshTriggers()
                        .build())
                .build();
    }

    /** A one-line description without credentials, for the start-up log. */
    public String describe() {
        return mode.name().toLowerCase(Locale.ROOT) + " "
                + uris.stream().map(RedisURI::toString).collect(Collectors.joining(","))
                + (uris.get(0).isSsl() ? " (TLS, peer verification " + uris.get(0).getVerifyMode() + ")" : "")
                + ", timeout " + timeout;
    }
}
