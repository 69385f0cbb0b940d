package io.baton.gateway.jobs;

import io.baton.gateway.GatewayProperties;
import io.baton.gateway.access.Tenants;
import io.baton.gateway.jobs.store.JobPage;
import io.baton.protocol.problems.RequestIds;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Batch jobs (docs/jobs.md): {@code POST /v1/jobs} (NDJSON or JSON, {@code Idempotency-Key}),
 * {@code GET /v1/jobs} (the tenant's jobs, newest first, paged), {@code GET /v1/jobs/{id}}, its
 * {@code results} (NDJSON, readable while it runs), its {@code events} (server-sent: a {@code
 * progress} event whenever the job changed, a {@code done} event when it finished), {@code POST
 * /v1/jobs/{id}:cancel} and {@code DELETE /v1/jobs/{id}}. Another tenant's job is 404, as one
 * that does not exist.
 */
@RestController
@Tag(name = "jobs", description = "Batch jobs: many summaries run in the background, with progress and results")
@ApiResponse(responseCode = "404", description = "job-not-found")
public class JobsController {

    /** The NDJSON media type of a job's requests and results. */
    public static final String NDJSON = "application/x-ndjson";
    private static final int MAX_PAGE = 100;

    private final JobService jobs;
    private final Duration eventInterval;

    public JobsController(JobService jobs, GatewayProperties properties) {
        this.jobs = jobs;
        this.eventInterval = properties.jobs().eventInterval();
    }

    @PostMapping(path = "/v1/jobs", consumes = NDJSON, produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "submitJobLines", summary = "Submit a job: one request per line (NDJSON)",
            description = "Each line: {\"customId\", \"text\", \"model\", \"mode\", \"sentences\" | \"words\"}. "
                    + "A malformed line is 400 invalid-job-request naming the line. The same Idempotency-Key with "
                    + "the same body answers the same job; with another body, 422 idempotency-key-reused.")
    @ApiResponse(responseCode = "202", description = "the job, with Location")
    @ApiResponse(responseCode = "400", description = "invalid-job-request (with line)")
    @ApiResponse(responseCode = "422", description = "idempotency-key-reused")
    public Mono<ResponseEntity<JobView>> submitLines(@RequestBody String body,
                                                     @RequestHeader(name = "Idempotency-Key", required = false) String key,
                                                     @RequestHeader(name = "traceparent", required = false) String traceparent,
                                                     ServerWebExchange exchange) {
        return jobs.submitLines(Tenants.of(exchange), body, key, RequestIds.of(exchange),
                        JobTracing.traceparent(exchange, traceparent))
                .map(JobsController::accepted);
    }

    @PostMapping(path = "/v1/jobs", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "submitJob", summary = "Submit a job: {\"requests\": [...], \"metadata\": {...}}")
    @ApiResponse(responseCode = "202", description = "the job, with Location")
    @ApiResponse(responseCode = "400", description = "invalid-job-request (with line: the request's position)")
    @ApiResponse(responseCode = "422", description = "idempotency-key-reused")
    public Mono<ResponseEntity<JobView>> submitJson(@RequestBody String body,
                                                    @RequestHeader(name = "Idempotency-Key", required = false) String key,
                                                    @RequestHeader(name = "traceparent", required = false) String traceparent,
                                                    ServerWebExchange exchange) {
        return jobs.submitJson(Tenants.of(exchange), body, key, RequestIds.of(exchange),
                        JobTracing.traceparent(exchange, traceparent))
                .map(JobsController::accepted);
    }

    private static ResponseEntity<JobView> accepted(JobService.Submission submission) {
        return ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create("/v1/jobs/" + submission.job().id()))
                .body(submission.job());
    }

    @GetMapping(path = "/v1/jobs", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "listJobs", summary = "The tenant's jobs, newest first",
            description = "limit: 1-100 (20); after: the 'next' of the previous page")
    public Mono<JobList> list(@RequestParam(name = "limit", defaultValue = "20") int limit,
                              @RequestParam(name = "after", required = false) String after,
                              ServerWebExchange exchange) {
        if (limit < 1 || limit > MAX_PAGE) {
            return Mono.error(new InvalidJobRequestException(0, "limit must be 1-" + MAX_PAGE + ", got " + limit));
        }
        return jobs.list(Tenants.of(exchange), after, limit).map(JobList::of);
    }

    /**
     * A page of jobs.
     *
     * @param jobs the jobs, newest first
     * @param next the {@code after} of the next page; null on the last
     */
    public record JobList(List<JobView> jobs, String next) {
        static JobList of(JobPage page) {
            return new JobList(page.jobs().stream().map(JobView::of).toList(), page.next());
        }
    }

    @GetMapping(path = "/v1/jobs/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "getJob", summary = "A job: status, counts, times, metadata")
    public Mono<JobView> get(@PathVariable String id, ServerWebExchange exchange) {
        return jobs.find(Tenants.of(exchange), id);
    }

    @GetMapping(path = "/v1/jobs/{id}/results", produces = NDJSON)
    @Operation(operationId = "getJobResults", summary = "The results finished so far (NDJSON)",
            description = "One line per finished request: {\"customId\", \"summary\", \"sentences\"} or "
                    + "{\"customId\", \"error\": {problem}}, in the order they finished.")
    public Flux<String> results(@PathVariable String id, ServerWebExchange exchange) {
        return jobs.results(Tenants.of(exchange), id);
    }

    @GetMapping(path = "/v1/jobs/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(operationId = "getJobEvents", summary = "Progress as server-sent events",
            description = "An event 'progress' (the job) at once and whenever it changed; an event 'done' (the job) "
                    + "when it finished, which ends the stream.")
    public Flux<ServerSentEvent<JobView>> events(@PathVariable String id, ServerWebExchange exchange) {
        String tenant = Tenants.of(exchange);
        return jobs.find(tenant, id).flatMapMany(first -> Flux.interval(Duration.ZERO, eventInterval)
                .concatMap(tick -> jobs.find(tenant, id), 1)
                .distinctUntilChanged()
                .takeUntil(job -> job.status().finished())
                .map(job -> ServerSentEvent.builder(job).event(job.status().finished() ? "done" : "progress").build()));
    }

    @PostMapping(path = {"/v1/jobs/{id}:cancel", "/v1/jobs/{id}/cancel"}, produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "cancelJob", summary = "Cancel a job",
            description = "Finished results are kept; no request starts after this answer; running ones stop at "
                    + "their next segment. The job is 'cancelling' until they have, then 'cancelled'.")
    public Mono<JobView> cancel(@PathVariable String id, ServerWebExchange exchange) {
        return jobs.cancel(Tenants.of(exchange), id);
    }

    @DeleteMapping("/v1/jobs/{id}")
    @Operation(operationId = "deleteJob", summary = "Delete a job and its results")
    @ApiResponse(responseCode = "204", description = "deleted")
    public Mono<ResponseEntity<Void>> delete(@PathVariable String id, ServerWebExchange exchange) {
        return jobs.delete(Tenants.of(exchange), id).thenReturn(ResponseEntity.noContent().build());
    }
}
