package io.baton.memory;

import io.baton.common.redis.RedisSettings;
import io.baton.protocol.access.AccessSettings;
import io.baton.protocol.access.ServiceToken;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configuration of the memory service (prefix {@code baton}; environment variables by relaxed
 * binding, e.g. {@code BATON_REDIS_URL}, {@code BATON_STORE_KIND}, {@code BATON_RETENTION_KEEP}).
 *
 * @param serviceToken the token every request to {@code /v1/**} must carry ({@code
 *                     BATON_SERVICE_TOKEN}, as {@code Authorization: Bearer}); null for none
 * @param access       whether the service may run without a credential wherever it listens
 *                     (docs/protocol.md, "Service credentials")
 */
@ConfigurationProperties("baton")
public record MemoryProperties(@DefaultValue Store store, @DefaultValue Redis redis,
                               @DefaultValue Retention retention, @DefaultValue Limits limits,
                               @DefaultValue Encoding encoding, ServiceToken serviceToken,
                               @DefaultValue Access access) implements AccessSettings {

    @Override
    public boolean openAccess() {
        return access.open();
    }

    /**
     * {@code open} ({@code BATON_ACCESS_OPEN=true}): no credential is asked for even where the
     * service listens beyond loopback, for a deployment that authenticates callers in front of it.
     */
    public record Access(@DefaultValue("false") boolean open) {
    }

    /**
     * Which checkpoint store to use: {@code redis} (default) or {@code memory} (in-process,
     * bounded by {@code memoryMaxBytes}, least recently used documents evicted).
     */
    public record Store(@DefaultValue("redis") String kind, @DefaultValue("268435456") long memoryMaxBytes) {
    }

    /**
     * Redis connection. {@code url} in Lettuce URI syntax: {@code redis://[user:password@]host:port},
     * {@code rediss://} for TLS, {@code redis-sentinel://[password@]host:26379,host2:26379/0#mastername} (the
     * password is the data nodes'; {@code sentinelPassword}, {@code baton.redis.sentinel-password}, is the one
     * Sentinels ask for when they do).
     * {@code mode} {@code standalone} (also for Sentinel URLs) or {@code cluster}, where {@code
     * url} may list several seed nodes separated by commas. {@code tls} ({@code baton.redis.tls.ca-file},
     * {@code cert-file}, {@code key-file}): PEM files to trust and present over TLS. {@code
     * waitReplicas} ({@code baton.redis.wait-replicas}, 0 = off) and {@code waitTimeout}: after each
     * checkpoint put, fork and delete, wait for that many replicas to acknowledge it ({@code WAIT}),
     * answering 503 {@code replication-timeout} when fewer do in time (docs/state-store.md, "Waiting
     * for replicas").
     */
    public record Redis(@DefaultValue("redis://127.0.0.1:6379") String url,
                        @DefaultValue("standalone") String mode,
                        @DefaultValue("5s") Duration timeout,
                        @DefaultValue("true") boolean verifyPeer,
                        @DefaultValue RedisSettings.Tls tls,
                        @DefaultValue("0") int waitReplicas,
                        @DefaultValue("1s") Duration waitTimeout,
                        String sentinelPassword) {

        @ConstructorBinding
        public Redis {
        }

        /** Connection settings only; puts do not wait for replicas; Sentinels (if any) ask for no password. */
        public Redis(String url, String mode, Duration timeout, boolean verifyPeer, RedisSettings.Tls tls) {
            this(url, mode, timeout, verifyPeer, tls, 0, Duration.ofSeconds(1), null);
        }

        /** The connection settings these describe, checked; a failure names {@code baton.redis.*}. */
        public RedisSettings settings() {
            return RedisSettings.of("baton.redis", url, mode, timeout, verifyPeer, tls, sentinelPassword);
        }

        /** Without the URL's or the Sentinels' password, which no log may show. */
        @Override
        public String toString() {
            return "Redis[mode=" + mode + ", timeout=" + timeout + ", waitReplicas=" + waitReplicas
                    + ", sentinelPassword=" + (sentinelPassword == null || sentinelPassword.isEmpty() ? "none" : "set") + "]";
        }

        /**
         * Checks whether and how long a put waits for replicas ({@code waitReplicas},
         * {@code waitTimeout}); a failure names the property: {@code wait-replicas} 0 or more,
         * {@code wait-timeout} at least 1 ms and shorter than {@code timeout} (the command's own
         * deadline, which must not cut the wait short).
         */
        public void checkReplicaWait() {
            if (waitReplicas < 0) {
                throw new IllegalArgumentException("baton.redis.wait-replicas must be 0 (off) or more, not " + waitReplicas);
            }
            if (waitTimeout == null || waitTimeout.toMillis() < 1) {
                throw new IllegalArgumentException("baton.redis.wait-timeout must be at least 1ms, not " + waitTimeout);
            }
            if (waitReplicas > 0 && timeout != null && waitTimeout.compareTo(timeout) >= 0) {
                throw new IllegalArgumentException("baton.redis.wait-timeout (" + waitTimeout
                        + ") must be shorter than baton.redis.timeout (" + timeout + ")");
            }
        }
    }

    /** Keep the last {@code keep} (>= 2) checkpoints; every write refreshes {@code ttl}. */
    public record Retention(@DefaultValue("3") int keep, @DefaultValue("7d") Duration ttl) {
    }

    /**
     * Request body limit and per-tenant byte quota (0 = none); {@code maxParentWait}: the longest a
     * put sent ahead of its parent may wait for it ({@code X-Baton-Parent-Wait-Ms} asks for less or
     * more; 0 turns waiting off); {@code maxParentWaitBytes}: the bodies of such puts held at once,
     * together (beyond, a put ahead is refused at once, as without a wait).
     */
    public record Limits(@DefaultValue("67108864") long maxCheckpointBytes,
                         @DefaultValue("0") long tenantQuotaBytes,
                         @DefaultValue("1048576") long maxHeaderBytes,
                         @DefaultValue("2s") Duration maxParentWait,
                         @DefaultValue("134217728") long maxParentWaitBytes) {

        public Limits {
            if (maxParentWait.isNegative() || maxParentWaitBytes < 0) {
                throw new IllegalArgumentException("baton.limits.max-parent-wait and max-parent-wait-bytes must not be "
                        + "negative, got " + maxParentWait + " and " + maxParentWaitBytes);
            }
        }
    }

    /**
     * How checkpoints are stored: {@code compression} {@code none} or {@code zstd} (level
     * {@code zstdLevel}); {@code downcast} {@code none}, {@code f16} or {@code bf16} for F32
     * tensors (lossy; see docs/state-encoding.md for the error bound). Both off by default.
     */
    public record Encoding(@DefaultValue("none") String compression, @DefaultValue("3") int zstdLevel,
                           @DefaultValue("none") String downcast) {
    }
}
