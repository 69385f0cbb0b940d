package io.baton.gateway.jobs.store.redis;

import io.baton.common.testing.RedisTestSentinel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job store contract against a real primary with two replicas under three Sentinels
 * ({@link RedisTestSentinel}), connected as the gateway does with {@code baton.redis.mode=sentinel}
 * and a {@code redis-sentinel://} URL. Clean-up goes through the Sentinel URL as well, so it reaches
 * the same primary.
 */
class RedisSentinelJobStoreIT extends RedisJobStoreOnServers {

    @RegisterExtension
    static final RedisTestSentinel sentinel = new RedisTestSentinel();

    @BeforeAll
    static void connect() {
        connect(sentinel.url(), "sentinel", sentinel.url());
    }
}
