package io.baton.protocol.deadlines;

import io.baton.protocol.BatonHeaders;
import io.baton.protocol.problems.BatonException;
import io.baton.protocol.problems.FilterProblems;
import io.baton.protocol.problems.ProblemType;
import io.baton.protocol.problems.RequestIds;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Reads the deadline a caller sent ({@link BatonHeaders#TIME_LEFT_MS}) into the Reactor context of
 * the request ({@link Deadline#KEY}), where the service's work and its own calls to other services
 * find it. A request that arrives with no time left is answered {@code deadline-exceeded} at once;
 * a malformed value is a bad request. A request without the header has no deadline here (the
 * gateway gives its own requests one).
 */
public final class Deadlines implements WebFilter, Ordered {

    private final FilterProblems problems;

    public Deadlines(FilterProblems problems) {
        this.problems = problems;
    }

    /** Right after the request id is given, before access checks. */
    public static final int ORDER = RequestIds.ORDER + 1;

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String sent = exchange.getRequest().getHeaders().getFirst(BatonHeaders.TIME_LEFT_MS);
        if (sent == null) {
            return chain.filter(exchange);
        }
        Deadline deadline;
        try {
            deadline = Deadline.fromHeader(sent);
        } catch (IllegalArgumentException e) {
            return problems.refuse(exchange, new MalformedDeadlineException(e.getMessage()));
        }
        if (deadline.passed()) {
            return problems.refuse(exchange,
                    new DeadlineExceededException("the caller's deadline had passed when the request arrived"));
        }
        return chain.filter(exchange).contextWrite(context -> context.put(Deadline.KEY, deadline));
    }

    /** A {@link BatonHeaders#TIME_LEFT_MS} that is not a number of milliseconds. */
    private static final class MalformedDeadlineException extends BatonException {

        private static final long serialVersionUID = 1L;

        MalformedDeadlineException(String message) {
            super(message);
        }

        @Override
        public ProblemType type() {
            return ProblemType.MALFORMED_REQUEST;
        }
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
