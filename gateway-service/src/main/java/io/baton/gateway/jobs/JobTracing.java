package io.baton.gateway.jobs;

import io.baton.gateway.jobs.queue.WorkMessage;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.handler.TracingObservationHandler;
import java.util.Map;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * A job's trace through the queue (docs/observability.md#traces): the submission's span is named
 * in each work message ({@code traceparent} header, W3C Trace Context), and the delivery that runs
 * the request continues that trace: an observation {@code baton.jobs.delivery} (a consumer span,
 * child of the submission's span, and a timer) around the delivery, from which the calls to
 * inference and memory are child spans. One trace id, from the {@code POST /v1/jobs} through every
 * delivery of every request of the job.
 */
public final class JobTracing {

    /** The observation (and timer) of a delivery. */
    static final String DELIVERY = "baton.jobs.delivery";

    private final ObservationRegistry registry;

    public JobTracing(ObservationRegistry registry) {
        this.registry = registry;
    }

    /**
     * The W3C {@code traceparent} of the span serving {@code exchange} (the submission), or {@code
     * sent} (what the client sent, maybe null) when this service traces nothing.
     */
    public static String traceparent(ServerWebExchange exchange, String sent) {
        return ServerRequestObservationContext.findCurrent(exchange.getAttributes())
                .map(context -> context.<TracingObservationHandler.TracingContext>get(TracingObservationHandler.TracingContext.class))
                .map(TracingObservationHandler.TracingContext::getSpan)
                .filter(span -> !span.isNoop())
                .map(Span::context)
                .map(JobTracing::traceparent)
                .orElse(sent);
    }

    /** {@code 00-<trace id>-<span id>-<flags>} (W3C Trace Context, version 00). */
    static String traceparent(TraceContext context) {
        return "00-" + context.traceId() + "-" + context.spanId() + (Boolean.TRUE.equals(context.sampled()) ? "-01" : "-00");
    }

    /** {@code work}, the handling of {@code message}'s delivery, in a span continuing the message's trace. */
    <T> Mono<T> continued(WorkMessage message, Mono<T> work) {
        return Mono.defer(() -> {
            ReceiverContext<Map<String, String>> context = new ReceiverContext<>((carrier, key) -> carrier.get(key));
            context.setCarrier(message.traceparent() == null ? Map.of() : Map.of("traceparent", message.traceparent()));
            context.setRemoteServiceName("rabbitmq");
            Observation observation = Observation.createNotStarted(DELIVERY, () -> context, registry)
                    .contextualName("job request delivery")
                    .highCardinalityKeyValue("baton.job", message.ref().job())
                    .start();
            return work.doOnError(observation::error)
                    .doFinally(signal -> observation.stop())
                    .contextWrite(reactor -> reactor.put(ObservationThreadLocalAccessor.KEY, observation));
        });
    }
}
