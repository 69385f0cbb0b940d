package io.baton.gateway.summarize;

import io.baton.gateway.RequestTenant;
import jakarta.validation.Valid;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code POST /v1/summaries}: JSON in, the summary as JSON out; with {@code Accept:
 * text/event-stream}, a {@code progress} event per segment and then a {@code summary} event.
 * A client that goes away cancels the run.
 */
@RestController
public class SummaryController {

    private final SummaryService summaries;
    private final RequestTenant tenants;

    public SummaryController(SummaryService summaries, RequestTenant tenants) {
        this.summaries = summaries;
        this.tenants = tenants;
    }

    @PostMapping(path = "/v1/summaries", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<SummaryResponse> summarize(@Valid @RequestBody SummaryRequest request, ServerWebExchange exchange) {
        return summaries.summarize(tenants.of(exchange), request).ofType(SummaryEvent.Done.class).last().map(SummaryEvent.Done::summary);
    }

    @PostMapping(path = "/v1/summaries", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public Flux<ServerSentEvent<Object>> stream(@Valid @RequestBody SummaryRequest request,
                                                ServerWebExchange exchange) {
        return summaries.summarize(tenants.of(exchange), request).map(SummaryController::event);
    }

    private static ServerSentEvent<Object> event(SummaryEvent event) {
        if (event instanceof SummaryEvent.Progress progress) {
            return ServerSentEvent.<Object>builder(progress.progress()).event("progress").build();
        }
        return ServerSentEvent.<Object>builder(((SummaryEvent.Done) event).summary()).event("summary").build();
    }
}
