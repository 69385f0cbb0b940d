package io.baton.protocol.problems;

import io.micrometer.observation.Observation;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.handler.TracingObservationHandler;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.web.server.ServerWebExchange;

/**
 * The trace id of a request: the one of the span the server's observation of the request opened
 * (Micrometer Tracing over OpenTelemetry; the caller's W3C {@code traceparent} when it sent one).
 * Read off the exchange, so it is the same whichever thread answers the problem; null when the
 * service traces nothing (no tracer, or a request outside the observed web handler).
 */
public final class TraceIds {

    private TraceIds() {
    }

    /** The trace id (32 hex digits) of the request of {@code exchange}, or null. */
    public static String of(ServerWebExchange exchange) {
        return ServerRequestObservationContext.findCurrent(exchange.getAttributes())
                .map(TraceIds::of)
                .orElse(null);
    }

    /** The trace id of the span an observation's tracing handler opened, or null. */
    public static String of(Observation.Context context) {
        TracingObservationHandler.TracingContext tracing = context.get(TracingObservationHandler.TracingContext.class);
        Span span = tracing == null ? null : tracing.getSpan();
        if (span == null || span.isNoop()) {
            return null;
        }
        String id = span.context().traceId();
        return id == null || id.isEmpty() ? null : id;
    }
}
