package io.baton.gateway.admission;

import io.baton.protocol.problems.BatonException;
import io.baton.protocol.problems.FilterProblems;
import io.baton.protocol.problems.ProblemType;
import io.baton.protocol.problems.RequestIds;
import java.util.List;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.util.unit.DataSize;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The gateway's bound on a request's header fields ({@code baton.limits.max-header-size}): a
 * request whose fields add up to more is answered 431 {@code headers-too-large}, a problem detail
 * like every other refusal. The HTTP server's own bound ({@code server.max-http-request-header-size},
 * set well above this one) stays the outer wall: past it Netty answers 431 itself, without a body,
 * before any of the gateway's code runs, and never buffers more.
 */
public final class HeaderSizeLimit implements WebFilter, Ordered {

    /** Right after the request id is given, before the API key is checked. */
    public static final int ORDER = RequestIds.ORDER + 2;

    private final long maxBytes;
    private final FilterProblems problems;

    public HeaderSizeLimit(DataSize maxSize, FilterProblems problems) {
        this.maxBytes = maxSize.toBytes();
        this.problems = problems;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        long size = size(exchange.getRequest().getHeaders().headerSet());
        if (size > maxBytes) {
            return problems.refuse(exchange, new HeadersTooLargeException("the request's header fields are " + size
                    + " bytes; at most " + maxBytes + " are accepted (baton.limits.max-header-size)"));
        }
        return chain.filter(exchange);
    }

    /** The bytes of the header fields as sent: {@code name: value} and a line end per value. */
    static long size(Iterable<Map.Entry<String, List<String>>> headers) {
        long size = 0;
        for (Map.Entry<String, List<String>> header : headers) {
            for (String value : header.getValue()) {
                size += header.getKey().length() + 2 + value.length() + 2;
            }
        }
        return size;
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    /** Header fields over the gateway's bound. */
    static final class HeadersTooLargeException extends BatonException {

        private static final long serialVersionUID = 1L;

        HeadersTooLargeException(String message) {
            super(message);
        }

        @Override
        public ProblemType type() {
            return ProblemType.HEADERS_TOO_LARGE;
        }
    }
}
