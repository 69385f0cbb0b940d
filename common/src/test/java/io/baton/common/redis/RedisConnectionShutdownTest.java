package io.baton.common.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link RedisConnection#shutdown}: a client whose shutdown never completes (Lettuce issue 2278) is
 * left behind instead of holding the caller forever. The client here is Lettuce's own, connected to
 * nothing, with only its shutdown's future replaced by one that never completes.
 */
class RedisConnectionShutdownTest {

    /** A Lettuce client whose asynchronous shutdown starts but never completes; {@link #release} ends it. */
    private static final class NeverShutsDown extends RedisClient {

        final AtomicInteger asked = new AtomicInteger();

        NeverShutsDown() {
            super(null, RedisURI.create("redis://127.0.0.1:6379"));
        }

        @Override
        public CompletableFuture<Void> shutdownAsync(long quietPeriod, long timeout, TimeUnit timeUnit) {
            asked.incrementAndGet();
            return new CompletableFuture<>();
        }

        void release() throws Exception {
            super.shutdownAsync(0, 2, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(60) // without the bound this waits forever; the bound is 5 s
    void aShutdownThatNeverCompletesIsLeftBehind() throws Exception {
        NeverShutsDown client = new NeverShutsDown();
        try {
            RedisConnection.shutdown(client);

            assertThat(client.asked).hasValue(1);
            assertThat(Thread.currentThread().isInterrupted()).isFalse();
        } finally {
            client.release();
        }
    }

    @Test
    void anInterruptedCallerKeepsItsInterrupt() throws Exception {
        NeverShutsDown client = new NeverShutsDown();
        try {
            Thread.currentThread().interrupt();
            RedisConnection.shutdown(client);

            assertThat(Thread.interrupted()).isTrue();
        } finally {
            client.release();
        }
    }
}
