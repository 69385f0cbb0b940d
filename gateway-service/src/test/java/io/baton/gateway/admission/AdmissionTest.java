package io.baton.gateway.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.gateway.GatewayProperties;
import io.baton.protocol.BatonHeaders;
import io.baton.protocol.deadlines.Deadline;
import io.baton.protocol.deadlines.DeadlineExceededException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Per-tenant concurrency, the token bucket and the deadline, on work that is a plain publisher. */
class AdmissionTest {

    static final Duration LONG = Duration.ofMinutes(30);

    @Test
    void aTenantRunsAtMostItsConcurrencyAndOthersAreNotAffected() {
        Admission admission = new Admission(limits(2, 0, 0, LONG));
        Disposable a = admission.flux("acme", 10, Flux.never()).subscribe();
        Disposable b = admission.mono("acme", 10, Mono.never()).subscribe();
        assertThat(admission.running("acme")).isEqualTo(2);

        assertThatThrownBy(() -> admission.mono("acme", 10, Mono.just(1)).block())
                .isInstanceOf(TenantBusyException.class).hasMessageContaining("baton.limits.tenant-concurrency")
                .satisfies(e -> assertThat(((TenantBusyException) e).status()).isEqualTo(429))
                .satisfies(e -> assertThat(((TenantBusyException) e).properties())
                        .containsEntry(BatonHeaders.RETRY_AFTER_MEMBER, 1L));
        assertThat(admission.mono("globex", 10, Mono.just(1)).block()).isOne();

        a.dispose();   // a cancelled request frees its slot
        assertThat(admission.mono("acme", 10, Mono.just(2)).block()).isEqualTo(2);
        b.dispose();
        assertThat(admission.running("acme")).isZero();
        assertThat(admission.running("globex")).isZero();
    }

    @Test
    void aFailedRequestFreesItsSlot() {
        Admission admission = new Admission(limits(1, 0, 0, LONG));
        assertThatThrownBy(() -> admission.mono("acme", 1, Mono.error(new IllegalStateException("boom"))).block())
                .hasMessage("boom");
        assertThat(admission.running("acme")).isZero();
        assertThat(admission.flux("acme", 1, Flux.just(1, 2)).collectList().block()).containsExactly(1, 2);
        assertThat(admission.running("acme")).isZero();
    }

    @Test
    void theTokenBucketRefusesWithTheSecondsUntilEnoughTokensAreBack() {
        AtomicLong clock = new AtomicLong();
        Admission admission = new Admission(limits(8, 100, 1_000, LONG), clock::get);

        assertThat(admission.mono("acme", 600, Mono.just(1)).block()).isOne();   // 400 left
        RateLimitedException limited = catchLimited(() -> admission.mono("acme", 600, Mono.just(1)).block());
        // 200 tokens short at 100 a second.
        assertThat(limited.properties()).containsEntry(BatonHeaders.RETRY_AFTER_MEMBER, 2L);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(admission.running("acme")).as("a refused request holds no slot").isZero();
        assertThat(admission.mono("globex", 600, Mono.just(1)).block()).as("buckets are per tenant").isOne();

        clock.addAndGet(Duration.ofSeconds(2).toNanos());
        assertThat(admission.mono("acme", 600, Mono.just(1)).block()).isOne();   // 0 left
    }

    @Test
    void aRequestLargerThanTheBurstWaitsForAFullBucketAndLeavesItInDebt() {
        AtomicLong clock = new AtomicLong();
        Admission admission = new Admission(limits(8, 100, 1_000, LONG), clock::get);
        assertThat(admission.mono("acme", 10, Mono.just(1)).block()).isOne();   // 990 left

        RateLimitedException limited = catchLimited(() -> admission.mono("acme", 5_000, Mono.just(1)).block());
        assertThat(limited.properties()).containsEntry(BatonHeaders.RETRY_AFTER_MEMBER, 1L);   // 10 short
        clock.addAndGet(Duration.ofMillis(100).toNanos());
        assertThat(admission.mono("acme", 5_000, Mono.just(1)).block()).isOne();   // -4,000 now

        RateLimitedException inDebt = catchLimited(() -> admission.mono("acme", 100, Mono.just(1)).block());
        assertThat(inDebt.properties()).containsEntry(BatonHeaders.RETRY_AFTER_MEMBER, 41L);   // 4,100 at 100/s
    }

    @Test
    void withoutARateEveryRequestIsAdmittedUpToTheConcurrency() {
        Admission admission = new Admission(limits(1, 0, 0, LONG));
        for (int i = 0; i < 100; i++) {
            assertThat(admission.mono("acme", Long.MAX_VALUE / 2, Mono.just(i)).block()).isEqualTo(i);
        }
    }

    @Test
    void workThatOutlivesItsDeadlineIsStoppedAndFailsDeadlineExceeded() {
        Admission admission = new Admission(limits(1, 0, 0, Duration.ofMillis(50)));
        AtomicReference<Boolean> cancelled = new AtomicReference<>(false);

        assertThatThrownBy(() -> admission.flux("acme", 1, Flux.interval(Duration.ofMillis(10)).take(1)
                        .concatWith(Flux.<Long>never().doOnCancel(() -> cancelled.set(true)))).blockLast())
                .isInstanceOf(DeadlineExceededException.class).hasMessageContaining("baton.limits.request-timeout");
        assertThat(cancelled.get()).as("the work was cancelled").isTrue();
        assertThat(admission.running("acme")).isZero();
        assertThatThrownBy(() -> admission.mono("acme", 1, Mono.never()).block())
                .isInstanceOf(DeadlineExceededException.class);
        assertThat(admission.running("acme")).isZero();
    }

    @Test
    void theWorkSeesTheEarlierOfItsOwnDeadlineAndTheCallers() {
        Admission admission = new Admission(limits(1, 0, 0, LONG));
        Mono<Duration> left = Mono.deferContextual(context -> Mono.just(Deadline.of(context).remaining()));

        Duration own = admission.mono("acme", 1, left).block();
        assertThat(own).isGreaterThan(Duration.ofMinutes(29)).isLessThanOrEqualTo(LONG);

        Duration callers = admission.mono("acme", 1, left)
                .contextWrite(context -> context.put(Deadline.KEY, Deadline.in(Duration.ofMinutes(2)))).block();
        assertThat(callers).isGreaterThan(Duration.ZERO).isLessThanOrEqualTo(Duration.ofMinutes(2));

        Duration later = admission.mono("acme", 1, left)
                .contextWrite(context -> context.put(Deadline.KEY, Deadline.in(Duration.ofHours(5)))).block();
        assertThat(later).isLessThanOrEqualTo(LONG);
    }

    @Test
    void theEstimateIsTheLengthOverThreeRoundedUp() {
        assertThat(Admission.tokens("")).isZero();
        assertThat(Admission.tokens("abc")).isOne();
        assertThat(Admission.tokens("abcd")).isEqualTo(2);
        assertThat(Admission.tokens(null)).isZero();
    }

    private static RateLimitedException catchLimited(Runnable call) {
        try {
            call.run();
        } catch (RateLimitedException e) {
            return e;
        }
        throw new AssertionError("the request was not rate-limited");
    }

    private static GatewayProperties.Limits limits(int concurrency, long perSecond, long burst, Duration timeout) {
        return new GatewayProperties.Limits(concurrency, perSecond, burst, timeout, Duration.ofSeconds(30),
                Duration.ofMinutes(2), org.springframework.util.unit.DataSize.ofKilobytes(16));
    }
}
