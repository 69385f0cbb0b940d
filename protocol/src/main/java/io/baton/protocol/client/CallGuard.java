package io.baton.protocol.client;

import io.baton.protocol.deadlines.Deadline;
import io.baton.protocol.deadlines.DeadlineExceededException;
import io.baton.protocol.problems.BatonException;
import io.baton.protocol.problems.ServiceCallException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * What every HTTP call to another service goes through: a timeout per attempt, bounded retries
 * with backoff, one circuit breaker around it all, and the failure its caller sees. One rule,
 * read off the catalogue: a failure is {@link #retryable} when the service could not be reached,
 * did not answer in time, or answered a problem the catalogue calls retryable; only those are
 * retried and only those count against the breaker, except a problem {@link
 * io.baton.protocol.problems.ProblemType#behind() behind} the service (its store, its replicas, a
 * further service), which is retried but not counted: the service works, and its other calls may
 * succeed. Any other answer (a tenant's quota, a conflict, bad input) is the service working and
 * passes through at once, so one tenant's refusals never open a breaker the other tenants share. Once the retries are spent, or while
 * the breaker is open (the explicit fallback: fail at once without calling), the caller gets
 * {@code unavailable} ({@code memory-unavailable}, {@code inference-unavailable}).
 */
public final class CallGuard {

    private final Peer peer;
    private final ClientSettings settings;
    private final CircuitBreaker breaker;

    /** The guard of calls to {@code peer} as {@code settings} describe them. */
    public CallGuard(Peer peer, ClientSettings settings) {
        this(peer, settings, breaker(peer.service(), settings.breaker()));
    }

    public CallGuard(Peer peer, ClientSettings settings, CircuitBreaker breaker) {
        this.peer = peer;
        this.settings = settings;
        this.breaker = breaker;
    }

    /** A breaker as {@code settings} describe it, counting only the failures {@link #ofThePeer}. */
    public static CircuitBreaker breaker(String service, BreakerSettings settings) {
        return CircuitBreaker.of(service, CircuitBreakerConfig.custom()
                .recordException(CallGuard::ofThePeer)
                .failureRateThreshold(settings.failureRatePercent())
                .slidingWindowSize(settings.window())
                .minimumNumberOfCalls(settings.minimumCalls())
                .waitDurationInOpenState(settings.openFor())
                .permittedNumberOfCallsInHalfOpenState(settings.halfOpenCalls())
                .build());
    }

    /** The breaker around every call. */
    public CircuitBreaker breaker() {
        return breaker;
    }

    public ClientSettings settings() {
        return settings;
    }

    /**
     * {@code call} guarded; {@code what} describes it in the failure's detail. Under a request's
     * {@link Deadline}, each attempt's timeout is at most what is left of it, no retry starts
     * after it passed, and a call cut short by it fails {@code deadline-exceeded}.
     */
    public <T> Mono<T> mono(Mono<T> call, String what) {
        return Mono.deferContextual(context -> {
            Deadline deadline = Deadline.of(context);
            return Mono.defer(() -> call.timeout(timeout(deadline)))
                    .retryWhen(retries(e -> retryable(e) && inTime(deadline)))
                    .transformDeferred(CircuitBreakerOperator.of(breaker))
                    .onErrorMap(e -> unreachable(e), e -> unavailable(e, what, deadline));
        });
    }

    /**
     * A stream guarded: retried only while {@code started} is false (before its first element,
     * which the caller may already have passed on); the timeout bounds each next element, and
     * a request's {@link Deadline} bounds them as for {@link #mono}.
     */
    public <T> Flux<T> flux(Flux<T> call, Predicate<Throwable> started, String what) {
        return Flux.deferContextual(context -> {
            Deadline deadline = Deadline.of(context);
            return Flux.defer(() -> call.timeout(timeout(deadline)))
                    .retryWhen(retries(e -> !started.test(e) && retryable(e) && inTime(deadline)))
                    .transformDeferred(CircuitBreakerOperator.of(breaker))
                    .onErrorMap(e -> unreachable(e),
                            e -> unavailable(e, started.test(e) ? what + " broke off" : what, deadline));
        });
    }

    /** One attempt's timeout: the configured one, or what is left of the deadline when that is less. */
    private Duration timeout(Deadline deadline) {
        if (deadline == null) {
            return settings.timeout();
        }
        Duration left = deadline.remaining();
        return left.compareTo(settings.timeout()) < 0 ? left : settings.timeout();
    }

    private static boolean inTime(Deadline deadline) {
        return deadline == null || !deadline.passed();
    }

    private Retry retries(Predicate<Throwable> retryable) {
        return Retry.backoff(settings.retries(), settings.retryBackoff())
                .maxBackoff(settings.maxBackoff())
                .filter(retryable)
                .onRetryExhaustedThrow((spec, signal) -> signal.failure());
    }

    /** Whether a failed attempt may be repeated: no connection, no answer in time, a retryable problem. */
    public static boolean retryable(Throwable e) {
        return e instanceof WebClientRequestException || e instanceof TimeoutException
                || e instanceof ServiceCallException call && call.type().retryable();
    }

    /**
     * Whether a failure counts against the breaker: {@link #retryable}, and not a problem the peer
     * answered about something behind it ({@link io.baton.protocol.problems.ProblemType#behind()}).
     */
    public static boolean ofThePeer(Throwable e) {
        return retryable(e) && !(e instanceof ServiceCallException call && call.type().behind());
    }

    /** A failure that means the service was not reached or is down; a retryable answer is passed on as is. */
    private static boolean unreachable(Throwable e) {
        return e instanceof CallNotPermittedException || e instanceof WebClientRequestException
                || e instanceof TimeoutException;
    }

    private BatonException unavailable(Throwable e, String what, Deadline deadline) {
        if (deadline != null && deadline.passed() && !(e instanceof CallNotPermittedException)) {
            return new DeadlineExceededException("the request's deadline passed while " + what + " (the "
                    + peer.service() + ": " + describe(e) + ")");
        }
        if (e instanceof CallNotPermittedException) {
            return new ServiceCallException(peer.unavailable(), "the " + peer.service() + " is not called while " + what
                    + ": its circuit breaker is open after repeated failures; retry later",
                    Map.of("circuitBreaker", "open"), e);
        }
        return new ServiceCallException(peer.unavailable(), "the " + peer.service() + " at " + settings.url() + " failed "
                + (settings.retries() + 1) + " times while " + what + ": " + describe(e), Map.of(), e);
    }

    private static String describe(Throwable e) {
        if (e instanceof TimeoutException) {
            return "no answer in time";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
