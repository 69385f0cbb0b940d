package io.baton.protocol.memory;

import io.baton.protocol.BatonHeaders;
import io.baton.protocol.client.CallGuard;
import io.baton.protocol.client.ClientSettings;
import io.baton.protocol.client.Guarded;
import io.baton.protocol.client.Peer;
import io.baton.protocol.client.RemoteProblems;
import io.baton.protocol.client.ServiceWebClients;
import java.time.Duration;
import java.util.Map;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * The memory service over HTTP ({@code /v1/documents/{doc}/head}, {@code .../checkpoints/{n}},
 * {@code DELETE /v1/documents/{doc}}, with {@code If-Match} for a conditional delete; a put names its parent in {@code X-Baton-Parent-Digest} and
 * learns the stored checkpoint's digest from {@code X-Baton-Checkpoint-Digest} and {@code
 * X-Baton-Exact}; a read learns it from {@code X-Baton-Checkpoint-Digest}), every call through a {@link CallGuard} (timeout, retries of what the catalogue
 * calls retryable, circuit breaker). Every call may be retried: reads are idempotent, a repeated
 * delete finds nothing (false), and a put repeats identical bytes, which the memory service
 * answers as an idempotent success.
 */
public final class HttpMemoryClient implements MemoryClient, Guarded {

    private static final ParameterizedTypeReference<Map<String, Object>> JSON_OBJECT = new ParameterizedTypeReference<>() {
    };
    private static final RemoteProblems PROBLEMS =
            new RemoteProblems(Peer.MEMORY);

    private final WebClient web;
    private final CallGuard guard;

    public HttpMemoryClient(WebClient web, CallGuard guard) {
        this.web = web;
        this.guard = guard;
    }

    /** A client of the memory service {@code settings} name, reading bodies up to {@code maxBodyBytes}. */
    public static HttpMemoryClient create(ClientSettings settings, int maxBodyBytes) {
        return create(WebClient.builder(), settings, maxBodyBytes);
    }

    /**
     * As {@link #create(ClientSettings, int)}, from {@code builder}: one with the service's
     * observation registry sends the trace context ({@code traceparent}) with every call.
     */
    public static HttpMemoryClient create(WebClient.Builder builder, ClientSettings settings, int maxBodyBytes) {
        return new HttpMemoryClient(ServiceWebClients.create(builder, settings, maxBodyBytes),
                new CallGuard(Peer.MEMORY, settings));
    }

    /** The guard of every call (its breaker, its settings). */
    @Override
    public CallGuard guard() {
        return guard;
    }

    @Override
    public Mono<byte[]> checkpoint(String tenant, String document, long segment) {
        String what = "reading checkpoint " + segment + " of document " + document;
        Mono<byte[]> call = web.get().uri("/v1/documents/{doc}/checkpoints/{n}", document, segment)
                .header(BatonHeaders.TENANT, tenant).accept(MediaType.APPLICATION_OCTET_STREAM)
                .exchangeToMono(response -> response.statusCode().is2xxSuccessful()
                        ? response.bodyToMono(byte[].class)
                        : absentOrError(response, what));
        return guard.mono(call, what);
    }

    @Override
    public Mono<KeptCheckpoint> kept(String tenant, String document, long segment) {
        String what = "reading checkpoint " + segment + " of document " + document;
        Mono<KeptCheckpoint> call = web.get().uri("/v1/documents/{doc}/checkpoints/{n}", document, segment)
                .header(BatonHeaders.TENANT, tenant).accept(MediaType.APPLICATION_OCTET_STREAM)
                .exchangeToMono(response -> response.statusCode().is2xxSuccessful()
                        ? response.bodyToMono(byte[].class).map(bytes -> new KeptCheckpoint(bytes,
                                response.headers().asHttpHeaders().getFirst(BatonHeaders.CHECKPOINT_DIGEST)))
                        : absentOrError(response, what));
        return guard.mono(call, what);
    }

    @Override
    public Mono<StoredHead> head(String tenant, String document) {
        String what = "reading the head of document " + document;
        Mono<StoredHead> call = web.get().uri("/v1/documents/{doc}/head", document)
                .header(BatonHeaders.TENANT, tenant).accept(MediaType.APPLICATION_JSON)
                .exchangeToMono(response -> response.statusCode().is2xxSuccessful()
                        ? response.bodyToMono(JSON_OBJECT).map(HttpMemoryClient::head)
                        : absentOrError(response, what));
        return guard.mono(call, what);
    }

    @Override
    public Mono<Written> put(String tenant, String document, long segment, byte[] container, String parentDigest,
                             Duration parentWait) {
        String what = "storing checkpoint " + segment + " of document " + document;
        Mono<Written> call = web.put().uri("/v1/documents/{doc}/checkpoints/{n}", document, segment)
                .header(BatonHeaders.TENANT, tenant).contentType(MediaType.APPLICATION_OCTET_STREAM)
                .headers(headers -> {
                    if (parentDigest != null) {
                        headers.set(BatonHeaders.PARENT_DIGEST, parentDigest);
                        if (parentWait.toMillis() > 0) {
                            headers.set(BatonHeaders.PARENT_WAIT_MS, Long.toString(parentWait.toMillis()));
                        }
                    }
                })
                .accept(MediaType.APPLICATION_JSON).bodyValue(container)
                .exchangeToMono(response -> {
                    if (!response.statusCode().is2xxSuccessful()) {
                        return PROBLEMS.error(response, what);
                    }
                    String stored = response.headers().asHttpHeaders().getFirst(BatonHeaders.CHECKPOINT_DIGEST);
                    String digest = "true".equals(response.headers().asHttpHeaders().getFirst(BatonHeaders.EXACT))
                            ? stored : null;
                    return response.bodyToMono(JSON_OBJECT).map(json -> new Written(head(json), digest, stored));
                });
        return guard.mono(call, what);
    }

    @Override
    public Mono<Boolean> delete(String tenant, String document) {
        String what = "deleting document " + document;
        Mono<Boolean> call = web.delete().uri("/v1/documents/{doc}", document)
                .header(BatonHeaders.TENANT, tenant)
                .exchangeToMono(response -> response.statusCode().is2xxSuccessful()
                        ? response.releaseBody().thenReturn(true)
                        : response.statusCode() == HttpStatus.NOT_FOUND
                                ? response.releaseBody().thenReturn(false)
                                : PROBLEMS.error(response, what));
        return guard.mono(call, what);
    }

    /**
     * {@code DELETE /v1/documents/{doc}} with {@code If-Match: "<headDigest>"}: 204 deleted; 404
     * (no such document) and 412 {@code parent-mismatch} (its head is another checkpoint) are
     * both "nothing deleted".
     */
    @Override
    public Mono<Boolean> delete(String tenant, String document, String headDigest) {
        String what = "deleting document " + document + " if its head is checkpoint " + headDigest;
        Mono<Boolean> call = web.delete().uri("/v1/documents/{doc}", document)
                .header(BatonHeaders.TENANT, tenant).header(HttpHeaders.IF_MATCH, "\"" + headDigest + "\"")
                .exchangeToMono(response -> response.statusCode().is2xxSuccessful()
                        ? response.releaseBody().thenReturn(true)
                        : response.statusCode() == HttpStatus.NOT_FOUND
                                || response.statusCode() == HttpStatus.PRECONDITION_FAILED
                                ? response.releaseBody().thenReturn(false)
                                : PROBLEMS.error(response, what));
        return guard.mono(call, what);
    }

    /** A 404 (no such document or checkpoint) is an empty answer; anything else the problem it reports. */
    private static <T> Mono<T> absentOrError(ClientResponse response, String what) {
        return response.statusCode() == HttpStatus.NOT_FOUND
                ? response.releaseBody().then(Mono.empty())
                : PROBLEMS.error(response, what);
    }

    private static StoredHead head(Map<String, Object> json) {
        return new StoredHead(number(json, "segment"), number(json, "tokens"), String.valueOf(json.get("model")),
                String.valueOf(json.get("modelDigest")), number(json, "version"));
    }

    private static long number(Map<String, Object> json, String key) {
        return json.get(key) instanceof Number n ? n.longValue() : -1;
    }
}
