package io.baton.gateway.problems;

import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;

/**
 * Server-sent event streams that fail: before the first event the failure is an ordinary problem
 * response (its status and {@code application/problem+json}); after it the status is already
 * sent, so the stream ends with one {@code problem} event whose data is the same problem detail
 * ({@link ProblemDetailsAdvice#problemOf(Throwable, ServerWebExchange)}). Summaries and document
 * generations end this way.
 */
@Component
public final class ProblemEvents {

    /** The event name of a failure after the stream began. */
    public static final String EVENT = "problem";

    private final ProblemDetailsAdvice problems;

    public ProblemEvents(ProblemDetailsAdvice problems) {
        this.problems = problems;
    }

    /** {@code events}, ending with a {@code problem} event when they fail after the first one. */
    public Flux<ServerSentEvent<Object>> endingWithProblem(Flux<ServerSentEvent<Object>> events,
                                                           ServerWebExchange exchange) {
        return Flux.defer(() -> {
            AtomicBoolean begun = new AtomicBoolean();
            return events.doOnNext(event -> begun.set(true))
                    .onErrorResume(e -> begun.get(), e -> Flux.just(ServerSentEvent.<Object>builder(
                            problems.problemOf(e, exchange)).event(EVENT).build()));
        });
    }
}
