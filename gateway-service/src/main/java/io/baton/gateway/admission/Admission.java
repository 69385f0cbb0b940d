package io.baton.gateway.admission;

import io.baton.gateway.GatewayProperties;
import io.baton.protocol.deadlines.Deadline;
import io.baton.protocol.deadlines.DeadlineExceededException;
import io.baton.protocol.problems.Problems;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * Admission of the requests that run documents (summaries, ingest, append, generate): the one
 * place their per-tenant limits and their deadline are applied. Every controller method that runs
 * a document passes its work through {@link #flux} or {@link #mono}, which, when the work is
 * subscribed:
 *
 * <ol>
 *   <li>takes one of the tenant's {@code baton.limits.tenant-concurrency} slots, or fails with
 *       {@link TenantBusyException} (429); the slot is given back when the work ends, fails or is
 *       cancelled;
 *   <li>charges the tenant's {@link TokenBucket} the request's tokens, or fails with {@link
 *       RateLimitedException} (429, {@code Retry-After} when the bucket will hold enough); tokens
 *       are estimated from the text's length before it is tokenised ({@link #tokens(String)});
 *   <li>gives the work a {@link Deadline}: {@code baton.limits.request-timeout} from now, or the
 *       caller's ({@code X-Baton-Time-Left-Ms}) when that is earlier, in the Reactor context under
 *       {@link Deadline#KEY}, so every call to inference and memory sends what is left of it and
 *       retries no longer than that; when it passes, the work is cancelled (no further segment is
 *       sent) and fails with {@link DeadlineExceededException} (504).
 * </ol>
 */
public final class Admission {

    /**
     * Characters per token of the estimate: the trained default model ({@code jamba-medium}, BPE
     * 8,192) cuts the first 400,000 characters of Moby Dick into 109,364 tokens (3.66 a token;
     * {@code gemma2-small}'s BPE 4,096 into 122,553, 3.26), so 3 errs on the side of charging more
     * (docs/reliability.md). A byte-level model (the tiny test fixtures) runs one token per byte,
     * three times the estimate.
     */
    public static final int CHARS_PER_TOKEN = 3;

    private final GatewayProperties.Limits limits;
    private final LongSupplier nanoClock;
    private final Map<String, Integer> running = new ConcurrentHashMap<>();
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    public Admission(GatewayProperties.Limits limits) {
        this(limits, System::nanoTime);
    }

    /** With the clock token buckets fill by (tests step it by hand). */
    Admission(GatewayProperties.Limits limits, LongSupplier nanoClock) {
        this.limits = limits;
        this.nanoClock = nanoClock;
    }

    /** The estimated tokens of {@code text}: its length over {@value #CHARS_PER_TOKEN}, rounded up. */
    public static long tokens(String text) {
        return text == null ? 0 : (text.length() + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
    }

    /** {@code work} of {@code tenant}, sending about {@code tokens} tokens, admitted and under its deadline. */
    public <T> Flux<T> flux(String tenant, long tokens, Flux<T> work) {
        return Flux.deferContextual(context -> {
            Deadline deadline = deadline(context);
            Runnable leave = admit(tenant, tokens);
            return work
                    .timeout(Mono.delay(deadline.remaining()), item -> Mono.delay(deadline.remaining()),
                            Flux.defer(() -> Flux.error(exceeded(deadline))))
                    .doOnTerminate(leave)
                    .doOnCancel(leave)
                    .contextWrite(inner -> inner.put(Deadline.KEY, deadline));
        });
    }

    /** {@code work} of {@code tenant}, sending about {@code tokens} tokens, admitted and under its deadline. */
    public <T> Mono<T> mono(String tenant, long tokens, Mono<T> work) {
        return Mono.deferContextual(context -> {
            Deadline deadline = deadline(context);
            Runnable leave = admit(tenant, tokens);
            return work
                    .timeout(Mono.delay(deadline.remaining()), Mono.error(() -> exceeded(deadline)))
                    .doOnTerminate(leave)
                    .doOnCancel(leave)
                    .contextWrite(inner -> inner.put(Deadline.KEY, deadline));
        });
    }

    /** Requests of {@code tenant} admitted and not ended yet. */
    public int running(String tenant) {
        return running.getOrDefault(tenant, 0);
    }

    private Deadline deadline(ContextView context) {
        return Deadline.in(limits.requestTimeout()).earlier(Deadline.of(context));
    }

    /**
     * Takes a slot and charges the tokens, or fails having taken nothing. Answers what gives the
     * slot back, once however often it runs: before the answer's last signal travels on (so the
     * client's next request finds it free), or when the work is cancelled.
     */
    private Runnable admit(String tenant, long tokens) {
        int[] was = new int[1];
        running.compute(tenant, (name, count) -> {
            was[0] = count == null ? 0 : count;
            return was[0] < limits.tenantConcurrency() ? was[0] + 1 : count;
        });
        if (was[0] >= limits.tenantConcurrency()) {
            throw new TenantBusyException(tenant, was[0]);
        }
        if (limits.rateLimited()) {
            long waitNanos = buckets.computeIfAbsent(tenant,
                    name -> new TokenBucket(limits.tokensPerSecond(), limits.tokenBurst(), nanoClock)).take(tokens);
            if (waitNanos > 0) {
                leave(tenant);
                throw new RateLimitedException(tenant, tokens, Problems.seconds(Duration.ofNanos(waitNanos)));
            }
        }
        AtomicBoolean left = new AtomicBoolean();
        return () -> {
            if (left.compareAndSet(false, true)) {
                leave(tenant);
            }
        };
    }

    private void leave(String tenant) {
        running.computeIfPresent(tenant, (name, count) -> count == 1 ? null : count - 1);
    }

    private static DeadlineExceededException exceeded(Deadline deadline) {
        return new DeadlineExceededException("the request's deadline passed before its work was done "
                + "(baton.limits.request-timeout, or the caller's X-Baton-Time-Left-Ms); the work was stopped");
    }
}
