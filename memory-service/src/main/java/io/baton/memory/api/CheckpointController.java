package io.baton.memory.api;

import io.baton.memory.MemoryProperties;
import io.baton.memory.checkpoints.CheckpointService;
import io.baton.memory.encoding.StateEncoding;
import io.baton.memory.store.DocumentKey;
import io.baton.memory.store.Head;
import io.baton.protocol.BatonHeaders;
import jakarta.validation.Valid;
import java.net.URI;
import java.time.Duration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * A document's head and checkpoints: read the head, read, write (compare-and-set) and fork a
 * checkpoint. Ids are checked before the body is read, the body before anything is stored.
 */
@RestController
@RequestMapping("/v1/documents/{doc}")
public class CheckpointController {

    private final CheckpointService checkpoints;
    private final BodyReader bodyReader;

    public CheckpointController(CheckpointService checkpoints, MemoryProperties properties) {
        this.checkpoints = checkpoints;
        this.bodyReader = new BodyReader(properties.limits().maxCheckpointBytes());
    }

    /** The document's head; 404 when the tenant has no such document. */
    @GetMapping(path = "/head", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<HeadResponse>> head(@PathVariable String doc, ServerHttpRequest request) {
        DocumentKey key = RequestIds.document(request, doc);
        return checkpoints.head(key).map(head -> headResponse(HttpStatus.OK, doc, head, null));
    }

    /**
     * The container of kept checkpoint n, decoded from its stored encoding, with the digest of the
     * stored bytes ({@code X-Baton-Checkpoint-Digest}), which a put of n+1 may name as its parent.
     */
    @GetMapping(path = "/checkpoints/{n}")
    public Mono<ResponseEntity<byte[]>> checkpoint(@PathVariable String doc, @PathVariable String n,
            ServerHttpRequest request) {
        DocumentKey key = RequestIds.document(request, doc);
        long segment = RequestIds.segment(n);
        String ifNoneMatch = request.getHeaders().getFirst(HttpHeaders.IF_NONE_MATCH);
        return checkpoints.stored(key, segment).flatMap(stored -> {
            String etag = Etags.of(stored.stored());
            if (Etags.matches(ifNoneMatch, etag)) {
                return Mono.just(ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).<byte[]>build());
            }
            return checkpoints.decode(stored).zipWith(checkpoints.digest(stored)).map(both -> {
                StateEncoding.Decoded decoded = both.getT1();
                Head head = stored.head();
                return ResponseEntity.ok()
                        .eTag(etag)
                        .contentType(MediaType.APPLICATION_OCTET_STREAM)
                        .headers(headers -> MetadataHeaders.set(headers, stored.segment(),
                                CheckpointService.tokens(decoded.metadata(), head), head.model(),
                                head.modelDigest(), head.version()))
                        .header(BatonHeaders.CHECKPOINT_DIGEST, both.getT2())
                        .body(decoded.bytes());
            });
        });
    }

    /**
     * Stores checkpoint n: 201 when written, 200 for an identical repeat, 409 when n is not next,
     * 412 when {@code X-Baton-Parent-Digest} names another checkpoint n-1 than the one kept. A put
     * that names its parent and asks for {@code X-Baton-Parent-Wait-Ms} waits that long (capped)
     * for n-1 to be stored before it is refused as not next (a writer putting ahead). The
     * answer carries the stored checkpoint's digest ({@code X-Baton-Checkpoint-Digest}) and whether
     * it reads back exactly as written ({@code X-Baton-Exact}).
     */
    @PutMapping(path = "/checkpoints/{n}", consumes = MediaType.APPLICATION_OCTET_STREAM_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<HeadResponse>> put(@PathVariable String doc, @PathVariable String n,
            ServerHttpRequest request) {
        DocumentKey key = RequestIds.document(request, doc);
        long segment = RequestIds.segment(n);
        String parent = RequestIds.digest(BatonHeaders.PARENT_DIGEST,
                request.getHeaders().getFirst(BatonHeaders.PARENT_DIGEST));
        Duration parentWait = RequestIds.millis(BatonHeaders.PARENT_WAIT_MS,
                request.getHeaders().getFirst(BatonHeaders.PARENT_WAIT_MS));
        return bodyReader.read(request)
                .flatMap(bytes -> checkpoints.write(key, segment, bytes, parent, parentWait))
                .map(result -> {
                    ResponseEntity<HeadResponse> response = headResponse(
                            result.created() ? HttpStatus.CREATED : HttpStatus.OK, doc, result.head(),
                            result.created() ? URI.create(request.getPath().value()) : null);
                    return ResponseEntity.status(response.getStatusCode())
                            .headers(response.getHeaders())
                            .headers(headers -> MetadataHeaders.written(headers, result.digest(), checkpoints.exact()))
                            .body(response.getBody());
                });
    }

    /** A new document {@code to} starting from checkpoint n; the source is unchanged. */
    @PostMapping(path = "/checkpoints/{n}/fork", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<HeadResponse>> fork(@PathVariable String doc, @PathVariable String n,
            @Valid @RequestBody Mono<ForkRequest> body, ServerHttpRequest request) {
        DocumentKey source = RequestIds.document(request, doc);
        long segment = RequestIds.segment(n);
        return body.flatMap(fork -> {
            DocumentKey target = source.sibling(fork.to());
            return checkpoints.fork(source, segment, target)
                    .map(head -> headResponse(HttpStatus.CREATED, target.document(), head,
                            URI.create("/v1/documents/" + target.document() + "/head")));
        });
    }

    private static ResponseEntity<HeadResponse> headResponse(HttpStatus status, String document, Head head,
            URI location) {
        ResponseEntity.BodyBuilder builder = ResponseEntity.status(status)
                .headers(headers -> MetadataHeaders.head(headers, head));
        if (location != null) {
            builder.location(location);
        }
        return builder.body(HeadResponse.of(document, head));
    }
}
