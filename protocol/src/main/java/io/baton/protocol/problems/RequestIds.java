package io.baton.protocol.problems;

import io.baton.protocol.BatonHeaders;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * The id of every request: the caller's {@code X-Request-Id} when it sends a well-formed one (a
 * gateway passing its own on), else a fresh one. It is answered back in {@code X-Request-Id},
 * named by every problem detail ({@code requestId}) and by the log lines about the request, and
 * travels on in the Reactor context, from which the clients of other services send it along
 * ({@link io.baton.protocol.client.ServiceWebClients}): one id across the gateway, inference and
 * memory.
 */
public final class RequestIds implements WebFilter, Ordered {

    /** The exchange attribute and the Reactor context key holding the id. */
    public static final String KEY = RequestIds.class.getName();

    /** Runs before everything else, access checks included, so that their problems name it too. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE;

    private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String id = of(exchange);
        exchange.getResponse().getHeaders().set(BatonHeaders.REQUEST_ID, id);
        return chain.filter(exchange).contextWrite(context -> context.put(KEY, id));
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    /** The id of the request of {@code exchange}, given to it on first use. */
    public static String of(ServerWebExchange exchange) {
        String id = exchange.getAttribute(KEY);
        if (id == null) {
            String sent = exchange.getRequest().getHeaders().getFirst(BatonHeaders.REQUEST_ID);
            id = sent != null && WELL_FORMED.matcher(sent).matches() ? sent : UUID.randomUUID().toString();
            exchange.getAttributes().put(KEY, id);
        }
        return id;
    }

    /** The id in a Reactor context, or null outside a request. */
    public static String of(ContextView context) {
        return context.getOrDefault(KEY, null);
    }
}
