package io.baton.common.redis;

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
 * Where and how to connect to Redis, worked out from a service's settings ({@link #of}) and checked
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

    /** How the client talks to Redis. */
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

    /**
     * The settings a service's properties describe; failures name the properties as
     * {@code <prefix>.url}, {@code <prefix>.mode}, {@code <prefix>.timeout}.
     *
     * @param prefix     the properties' prefix, for messages (e.g. {@code baton.redis})
     * @param url        one URL, or the seed nodes of a cluster separated by commas
     * @param mode       {@code standalone} (null: the default), {@code sentinel} or {@code cluster}
     * @param timeout    connect and command timeout, positive
     * @param verifyPeer false turns off TLS certificate and host name checks
     */
    public static RedisSettings of(String prefix, String url, String mode, Duration timeout, boolean verifyPeer) {
        String trimmed = url == null ? "" : url.trim();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException(prefix + ".url is empty; set it (" + environmentName(prefix + ".url")
                    + "), e.g. redis://127.0.0.1:6379");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(prefix + ".timeout must be positive, was " + timeout);
        }
        String named = mode == null ? "standalone" : mode.trim().toLowerCase(Locale.ROOT);
        List<RedisURI> uris;
        Mode resolved;
        switch (named) {
            case "standalone", "sentinel" -> {
                RedisURI uri = parse(prefix, trimmed);
                boolean sentinel = !uri.getSentinels().isEmpty();
                if (named.equals("sentinel") && !sentinel) {
                    throw new IllegalArgumentException(prefix + ".mode=sentinel needs a Sentinel URL "
                            + "(redis-sentinel://host:26379,host2:26379/0#master), not " + uri);
                }
                uris = List.of(uri);
                resolved = sentinel ? Mode.SENTINEL : Mode.STANDALONE;
            }
            case "cluster" -> {
                uris = seeds(prefix, trimmed);
                resolved = Mode.CLUSTER;
            }
            default -> throw new IllegalArgumentException(prefix + ".mode '" + mode
                    + "' is not known; use standalone, sentinel or cluster");
        }
        for (RedisURI uri : uris) {
            uri.setTimeout(timeout);
            if (!verifyPeer) {
                uri.setVerifyPeer(SslVerifyMode.NONE);
            }
        }
        return new RedisSettings(resolved, uris, timeout);
    }

    /** The environment variable that Spring's relaxed binding reads a property from: {@code BATON_REDIS_URL}. */
    private static String environmentName(String property) {
        return property.replace("-", "").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    private static List<RedisURI> seeds(String prefix, String url) {
        String[] parts = url.split(",");
        URI first = URI.create(parts[0].trim());
        if (first.getScheme() == null || first.getScheme().contains("sentinel")) {
            throw new IllegalArgumentException(prefix + ".mode=cluster needs redis:// or rediss:// seed URLs, not " + parts[0]);
        }
        String inherited = first.getScheme() + "://" + (first.getRawUserInfo() == null ? "" : first.getRawUserInfo() + "@");
        List<RedisURI> seeds = new ArrayList<>();
        for (String part : parts) {
            String seed = part.trim();
            if (seed.isEmpty()) {
                throw new IllegalArgumentException(prefix + ".url has an empty seed node: " + url.replaceAll("//[^@/]*@", "//***@"));
            }
            RedisURI uri = parse(prefix, seed.contains("://") ? seed : inherited + seed);
            if (!uri.getSentinels().isEmpty()) {
                throw new IllegalArgumentException("a Sentinel URL cannot be a cluster seed: " + uri);
            }
            seeds.add(uri);
        }
        return seeds;
    }

    private static RedisURI parse(String prefix, String url) {
        try {
            return RedisURI.create(url);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(prefix + ".url '" + url.replaceAll("//[^@/]*@", "//***@")
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
