package io.baton.memory.api;

import io.baton.memory.store.CheckpointStore;
import io.baton.memory.store.DocumentKey;
import io.baton.memory.store.DocumentNotFoundException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * The tenant's documents: list them a page at a time, delete one with all its checkpoints
 * (unconditionally, or only while its head checkpoint is the one the caller names).
 */
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

    /**
     * Deletes the document and all its checkpoints: 204, or 404 when there is none. With {@code
     * If-Match: "<digest>"} only if the head checkpoint has that stored digest (as {@code
     * X-Baton-Checkpoint-Digest} named it when it was put), else 412 {@code parent-mismatch} with
     * the {@code head}; {@code If-Match: *} is the same as none.
     */
    @DeleteMapping("/{doc}")
    public Mono<ResponseEntity<Void>> delete(@PathVariable String doc,
            @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch, ServerHttpRequest request) {
        DocumentKey key = RequestIds.document(request, doc);
        String headDigest = headDigest(ifMatch);
        return (headDigest == null ? store.delete(key) : store.delete(key, headDigest)).flatMap(deleted -> deleted
                ? Mono.just(ResponseEntity.noContent().<Void>build())
                : Mono.error(new DocumentNotFoundException(key)));
    }

    /**
     * The digest an {@code If-Match} header names: one strong entity tag of 64 lower-case hex
     * digits in quotes; null for no header or {@code *}.
     *
     * @throws InvalidParameterException for anything else (a list, a weak tag, another form)
     */
    static String headDigest(String ifMatch) {
        if (ifMatch == null || ifMatch.strip().equals("*")) {
            return null;
        }
        String tag = ifMatch.strip();
        if (tag.length() < 2 || tag.charAt(0) != '"' || tag.charAt(tag.length() - 1) != '"') {
            throw new InvalidParameterException("If-Match must be one quoted checkpoint digest (\"<64 hex digits>\") "
                    + "or *");
        }
        return RequestIds.digest(HttpHeaders.IF_MATCH, tag.substring(1, tag.length() - 1));
    }
}
