package io.baton.gateway.documents;

import io.baton.gateway.access.Tenants;
import io.baton.gateway.admission.Admission;
import io.baton.gateway.problems.ProblemEvents;
import jakarta.validation.Valid;
import java.net.URI;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The documents API. Append and generate answer at two paths each: {@code /v1/documents/{id}/append}
 * and the custom-method form {@code /v1/documents/{id}:append} (likewise {@code generate}). The
 * tenant is the request's ({@link Tenants}). Ingest, append and generate run the document, so
 * they pass the tenant's limits first and run under the request's deadline ({@link Admission}).
 */
@RestController
public class DocumentsController {

    private final DocumentService documents;
    private final ProblemEvents problemEvents;
    private final Admission admission;

    public DocumentsController(DocumentService documents, ProblemEvents problemEvents, Admission admission) {
        this.problemEvents = problemEvents;
        this.documents = documents;
        this.admission = admission;
    }

    /** Ingests a new document: 201 with its {@code Location}. */
    @PostMapping(path = "/v1/documents", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<DocumentWrite>> ingest(@Valid @RequestBody IngestRequest request,
                                                      ServerWebExchange exchange) {
        String tenant = Tenants.of(exchange);
        return admission.mono(tenant, Admission.tokens(request.text()), documents.ingest(tenant, request))
                .map(write -> ResponseEntity.created(URI.create("/v1/documents/" + write.document().id())).body(write));
    }

    /** Appends to a document: 200 with the document after it. */
    @PostMapping(path = {"/v1/documents/{id}/append", "/v1/documents/{id}:append"},
            consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<DocumentWrite> append(@PathVariable String id, @Valid @RequestBody AppendRequest request,
                                      ServerWebExchange exchange) {
        String tenant = Tenants.of(exchange);
        return admission.mono(tenant, Admission.tokens(request.text()), documents.append(tenant, id, request));
    }

    /**
     * Streams a generation from the document's head: {@code token} events, then {@code done}; a
     * failure after the first event ends the stream with a {@code problem} event. It is charged
     * its prompt's tokens and {@code maxTokens}.
     */
    @PostMapping(path = {"/v1/documents/{id}/generate", "/v1/documents/{id}:generate"},
            consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public Flux<ServerSentEvent<Object>> generate(@PathVariable String id, @Valid @RequestBody PromptRequest request,
                                                  ServerWebExchange exchange) {
        String tenant = Tenants.of(exchange);
        long tokens = Admission.tokens(request.prompt()) + request.maxTokens();
        return problemEvents.endingWithProblem(admission.flux(tenant, tokens, documents.generate(tenant, id, request)
                .map(event -> ServerSentEvent.<Object>builder(event)
                        .event(event instanceof GenerationEvent.Token ? "token" : "done").build())), exchange);
    }

    /** The document as stored. */
    @GetMapping(path = "/v1/documents/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<DocumentView> get(@PathVariable String id, ServerWebExchange exchange) {
        return documents.get(Tenants.of(exchange), id);
    }

    /** Deletes the document and all its checkpoints: 204. */
    @DeleteMapping("/v1/documents/{id}")
    public Mono<ResponseEntity<Void>> delete(@PathVariable String id, ServerWebExchange exchange) {
        return documents.delete(Tenants.of(exchange), id).thenReturn(ResponseEntity.noContent().build());
    }
}
