package io.baton.protocol.inference;

import io.baton.protocol.BatonHeaders;
import io.baton.protocol.problems.ServiceCallException;
import io.baton.protocol.client.CallGuard;
import io.baton.protocol.client.ClientSettings;
import io.baton.protocol.client.Guarded;
import io.baton.protocol.client.Peer;
import io.baton.protocol.client.RemoteProblems;
import io.baton.protocol.client.ServiceWebClients;
import io.baton.protocol.problems.ProblemType;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@link InferenceClient} over HTTP: {@code POST <url>/v1/segments} and {@code POST
 * <url>/v1/generate} (server-sent events) with the tenant in {@code X-Baton-Tenant}, through a
 * {@link CallGuard}: a timeout per attempt, retries of what the catalogue calls retryable (safe,
 * because storing a segment is compare-and-set and an identical repeat is idempotent), one
 * circuit breaker. A generation is retried only until its first token has arrived: one that
 * breaks off later fails, since the caller has already passed the tokens on; the timeout then
 * bounds the wait for each next event.
 */
public final class HttpInferenceClient implements InferenceClient, Guarded {

    /** Largest answer read: a segment's vectors and log-likelihoods. */
    private static final int MAX_BODY_BYTES = 64 * 1024 * 1024;
    private static final ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>> EVENT =
            new ParameterizedTypeReference<>() {
            };
    private static final RemoteProblems PROBLEMS =
            new RemoteProblems(Peer.INFERENCE);

    private final WebClient web;
    private final CallGuard guard;

    public HttpInferenceClient(WebClient.Builder builder, ClientSettings settings) {
        this(builder, new CallGuard(Peer.INFERENCE, settings));
    }

    public HttpInferenceClient(WebClient.Builder builder, CallGuard guard) {
        this.web = ServiceWebClients.create(builder, guard.settings(), MAX_BODY_BYTES);
        this.guard = guard;
    }

    /** The guard of every call (its breaker, its settings). */
    @Override
    public CallGuard guard() {
        return guard;
    }

    @Override
    public Mono<SegmentResponse> process(String tenant, SegmentRequest request) {
        String what = "processing segment " + request.segment() + " of document " + request.document();
        return guard.mono(web.post().uri("/v1/segments")
                .header(BatonHeaders.TENANT, tenant)
                .contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.APPLICATION_JSON)
                .bodyValue(request)
                .exchangeToMono(response -> response.statusCode().is2xxSuccessful()
                        ? response.bodyToMono(SegmentResponse.class)
                        : PROBLEMS.error(response, what)), what);
    }

    @Override
    public Flux<GeneratedToken> generate(String tenant, GenerateRequest request) {
        String what = "generating from document " + request.document();
        return Flux.defer(() -> {
            AtomicBoolean started = new AtomicBoolean();
            Flux<GeneratedToken> call = web.post().uri("/v1/generate")
                    .header(BatonHeaders.TENANT, tenant)
                    .contentType(MediaType.APPLICATION_JSON)
                    .accept(MediaType.TEXT_EVENT_STREAM)
                    .bodyValue(request)
                    .exchangeToFlux(response -> response.statusCode().is2xxSuccessful()
                            ? response.bodyToFlux(EVENT).filter(e -> "token".equals(e.event())).map(e -> token(e.data()))
                            : PROBLEMS.<GeneratedToken>error(response, what).flux())
                    .doOnNext(token -> started.set(true));
            return guard.flux(call, e -> started.get(), what);
        });
    }

    private static GeneratedToken token(Map<String, Object> data) {
        if (data == null || !(data.get("index") instanceof Number index) || !(data.get("token") instanceof Number token)
                || !(data.get("logprob") instanceof Number logprob)) {
            throw new ServiceCallException(ProblemType.INFERENCE_REJECTED,
                    "inference sent a token event without index, token and logprob: " + data);
        }
        return new GeneratedToken(index.intValue(), token.longValue(), logprob.doubleValue());
    }
}
