package io.baton.gateway.summarize;

import io.baton.gateway.access.Tenants;
import io.baton.gateway.admission.Admission;
import io.baton.gateway.pipeline.SegmentProgress;
import io.baton.gateway.problems.ProblemEvents;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
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
 * text/event-stream}, a {@code progress} event per segment and then a {@code summary} event; a
 * failure after the stream began (its 200 is sent) ends it with a {@code problem} event holding
 * the problem detail, one before it is the usual problem response. A client that goes away
 * cancels the run. The document runs as the request's tenant ({@link Tenants}), admitted by the
 * tenant's limits and under the request's deadline ({@link Admission}).
 */
@RestController
@Tag(name = "summaries", description = "Summaries of long texts: extractive (picked sentences) or abstractive (generated)")
// Error responses as problem details, with 401, 413 and 500, are added by ProblemResponses.
@ApiResponse(responseCode = "400", description = "empty-text, malformed-text, malformed-request or invalid-request")
@ApiResponse(responseCode = "404", description = "unknown-model")
@ApiResponse(responseCode = "422", description = "no-sentence-vectors: the model gives no per-sentence vectors")
@ApiResponse(responseCode = "429", description = "tenant-busy or rate-limited, with Retry-After")
@ApiResponse(responseCode = "503", description = "inference-unavailable, or service-busy with Retry-After")
@ApiResponse(responseCode = "504", description = "deadline-exceeded")
public class SummaryController {

    private static final String DESCRIPTION = "Runs the text through the model segment by segment and picks "
            + "sentences by centroid similarity and maximal marginal relevance; the picked sentences come in "
            + "document order with UTF-16 offsets into the text. With Accept: text/event-stream the answer is a "
            + "stream: an event 'progress' (a SegmentProgress) after each segment, then one event 'summary' (a "
            + "SummaryResponse), or, when the run fails after the stream began, one event 'problem' (a problem "
            + "detail, RFC 9457) instead; closing the connection stops the run.";

    private final SummaryService summaries;
    private final ProblemEvents problemEvents;
    private final Admission admission;

    public SummaryController(SummaryService summaries, ProblemEvents problemEvents, Admission admission) {
        this.problemEvents = problemEvents;
        this.summaries = summaries;
        this.admission = admission;
    }

    @PostMapping(path = "/v1/summaries", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "summarize", summary = "Summarize a text", description = DESCRIPTION)
    @ApiResponse(responseCode = "200", description = "the summary (JSON), or with Accept: text/event-stream the "
            + "progress events and then the summary event",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = SummaryResponse.class)))
    public Mono<SummaryResponse> summarize(@Valid @RequestBody SummaryRequest request, ServerWebExchange exchange) {
        String tenant = Tenants.of(exchange);
        return admission.mono(tenant, Admission.tokens(request.text()), summaries.summarize(tenant, request)
                .ofType(SummaryEvent.Done.class).last().map(SummaryEvent.Done::summary));
    }

    @PostMapping(path = "/v1/summaries", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(operationId = "summarize", summary = "Summarize a text", description = DESCRIPTION)
    @ApiResponse(responseCode = "200", description = "the summary (JSON), or with Accept: text/event-stream the "
            + "progress events and then the summary event",
            content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE,
                    schema = @Schema(oneOf = {SegmentProgress.class, SummaryResponse.class})))
    public Flux<ServerSentEvent<Object>> stream(@Valid @RequestBody SummaryRequest request,
                                          ServerWebExchange exchange) {
        String tenant = Tenants.of(exchange);
        return problemEvents.endingWithProblem(admission.flux(tenant, Admission.tokens(request.text()),
                summaries.summarize(tenant, request).map(SummaryController::event)), exchange);
    }

    private static ServerSentEvent<Object> event(SummaryEvent event) {
        if (event instanceof SummaryEvent.Progress progress) {
            return ServerSentEvent.<Object>builder(progress.progress()).event("progress").build();
        }
        return ServerSentEvent.<Object>builder(((SummaryEvent.Done) event).summary()).event("summary").build();
    }
}
