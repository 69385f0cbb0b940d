package io.baton.memory.api;

import io.baton.memory.store.CheckpointStore;
import io.baton.memory.store.DocumentKey;
import io.baton.memory.store.DocumentNotFoundException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** The tenant's documents: list them a page at a time, delete one with all its checkpoints. */
@RestController
@RequestMapping("/v1/documents")
public class DocumentController {

    /** The largest page. */
    static final int MAX_LIMIT = 1000;

    private final CheckpointStore store;

    public DocumentController(CheckpointStore store) {
        this.store = store;
    }

    /** Up to {@code limit} (1..1000, default 100) documents from {@code cursor}. */
    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<DocumentListResponse> list(@RequestParam(required = false) String cursor,
            @RequestParam(defaultValue = "100") int limit, ServerHttpRequest request) {
        String tenant = RequestIds.tenant(request);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidParameterException("limit must be within 1.." + MAX_LIMIT + ", not " + limit);
        }
        return store.list(tenant, cursor == null || cursor.isEmpty() ? null : cursor, limit)
                .map(DocumentListResponse::of);
    }

    /** Deletes the document and all its checkpoints: 204, or 404 when there is none. */
    @DeleteMapping("/{doc}")
    public Mono<ResponseEntity<Void>> delete(@PathVariable String doc, ServerHttpRequest request) {
        DocumentKey key = RequestIds.document(request, doc);
        return store.delete(key).flatMap(deleted -> deleted
                ? Mono.just(ResponseEntity.noContent().<Void>build())
                : Mono.error(new DocumentNotFoundException(key)));
    }
}
