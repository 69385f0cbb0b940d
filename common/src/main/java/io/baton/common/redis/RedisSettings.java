package io.baton.common.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * A Sentinel URL's password is the data nodes' (Lettuce does not send it to the Sentinels); Sentinels
 * that ask for a password of their own ({@code requirepass} in sentinel.conf) get {@code
 * sentinelPassword} ({@code <prefix>.sentinel-password}), sent to every Sentinel of the URL.
 * {@code timeout} bounds connecting and every command. {@code verifyPeer=false} turns off TLS
 * certificate and host name checks (test set-ups only); {@code true} leaves the URL's own setting
 * ({@code ?verifyPeer=...}, full verification by default). {@link Tls} names the certificates a
 * {@code rediss://} connection trusts (instead of the JVM's trust store) and presents.
 *
 * @param mode    how the nodes are to be used
 * @param uris    one URI (standalone, Sentinel) or the cluster's seed nodes
 * @param timeout connect and command timeout
 * @param tls     the TLS trust and client certificate; {@link Tls#NONE} for the JVM's defaults
 */
public record RedisSettings(Mode mode, List<RedisURI> uris, Duration timeout, Tls tls) {

    /** How the client talks to Redis. */
    public enum Mode {
        /** One server (a primary; replicas are not read from). */
        STANDALONE,
        /** The primary named by Sentinels, found again after a failover. */
        SENTINEL,
        /** A Redis Cluster; commands are routed by key slot. */
        CLUSTER
    }

    /**
     * PEM files for TLS connections ({@code <prefix>.tls.*}): {@code caFile}, the certificates to
     * trust (a private CA) instead of the JVM's trust store; {@code certFile} and {@code keyFile},
     * a client certificate (chain) and its unencrypted PKCS#8 key, for servers that ask for one
     * ({@code tls-auth-clients}). Each null when not set; the certificate and the key go together.
     */
    public record Tls(Path caFile, Path certFile, Path keyFile) {

        /** Nothing set: the JVM's trust store, no client certificate. */
        public static final Tls NONE = new Tls(null, null, null);

        /** Whether anything is set. */
        public boolean configured() {
            return caFile != null || certFile != null || keyFile != null;
        }
    }

    public RedisSettings {
        Objects.requireNonNull(mode, "mode");
        uris = List.copyOf(uris);
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("no Redis URL");
        }
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(tls, "tls");
    }

    /** {@link #of(String, String, String, Duration, boolean, Tls)} with no TLS files: the JVM's trust store. */
    public static RedisSettings of(String prefix, String url, String mode, Duration timeout, boolean verifyPeer) {
        return of(prefix, url, mode, timeout, verifyPeer, Tls.NONE);
    }

    /** {@link #of(String, String, String, Duration, boolean, Tls, String)} for Sentinels that ask for no password. */
    public static RedisSettings of(String prefix, String url, String mode, Duration timeout, boolean verifyPeer, Tls tls) {
        return of(prefix, url, mode, timeout, verifyPeer, tls, null);
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
     * @param tls        PEM files to trust and present over TLS ({@code <prefix>.tls.*}); {@link Tls#NONE} for none
     * @param sentinelPassword the password the Sentinels ask for ({@code <prefix>.sentinel-password}); null or
     *                   empty: they ask for none. Only with a Sentinel URL
     */
    public static RedisSettings of(String prefix, String url, String mode, Duration timeout, boolean verifyPeer, Tls tls,
                                   String sentinelPassword) {
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
        if (sentinelPassword != null && !sentinelPassword.isEmpty()) {
            if (resolved != Mode.SENTINEL) {
                throw new IllegalArgumentException(prefix + ".sentinel-password is set but " + prefix
                        + ".url is not a Sentinel URL (redis-sentinel://host:26379,host2:26379#master)");
            }
            for (RedisURI sentinel : uris.get(0).getSentinels()) {
                sentinel.setCredentialsProvider(RedisCredentialsProvider.from(
                        () -> RedisCredentials.just(null, sentinelPassword)));
            }
        }
        Tls files = tls == null ? Tls.NONE : tls;
        if (files.configured()) {
            checkTls(prefix, files, uris);
        }
        return new RedisSettings(resolved, uris, timeout, files);
    }

    /**
     * Fails, naming the property, when TLS files are set for a connection without TLS, a file is not
     * readable, only one of the certificate and the key is set, or the files do not parse as PEM.
     */
    private static void checkTls(String prefix, Tls tls, List<RedisURI> uris) {
        if (!uris.get(0).isSsl()) {
            throw new IllegalArgumentException(prefix + ".tls.* is set but " + prefix + ".url is not a TLS URL "
                    + "(rediss://, or ?ssl=true on a Sentinel URL): " + uris.get(0));
        }
        if ((tls.certFile() == null) != (tls.keyFile() == null)) {
            throw new IllegalArgumentException(prefix + ".tls.cert-file and " + prefix
                    + ".tls.key-file go together (a client certificate and its key); only one is set");
        }
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("ca-file", tls.caFile());
        files.put("cert-file", tls.certFile());
        files.put("key-file", tls.keyFile());
        files.forEach((name, file) -> {
            if (file != null && !Files.isReadable(file)) {
                throw new IllegalArgumentException(prefix + ".tls." + name + " " + file + " is not a readable file");
            }
        });
        try {
            sslOptions(tls).createSslContextBuilder().build();
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException(prefix + ".tls.* do not make a TLS context (PEM certificates, "
                    + "an unencrypted PKCS#8 key): " + e.getMessage(), e);
        }
    }

    private static SslOptions sslOptions(Tls tls) {
        SslOptions.Builder builder = SslOptions.builder().jdkSslProvider();
        if (tls.caFile() != null) {
            builder.trustManager(tls.caFile().toFile());
        }
        if (tls.certFile() != null) {
            builder.keyManager(tls.certFile().toFile(), tls.keyFile().toFile(), null);
        }
        return builder.build();
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
                .sslOptions(sslOptions(tls))
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
                .sslOptions(sslOptions(tls))
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
                + (uris.get(0).isSsl() ? " (TLS, peer verification " + uris.get(0).getVerifyMode()
                        + (tls.caFile() == null ? ", the JVM's trust store" : ", trusting " + tls.caFile())
                        + (tls.certFile() == null ? "" : ", client certificate " + tls.certFile()) + ")" : "")
                + ", timeout " + timeout;
    }
}
