package io.baton.inference.generation;

import io.baton.protocol.BatonHeaders;
import io.baton.protocol.inference.GenerateRequest;
import jakarta.validation.Valid;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code POST /v1/generate}: server-sent events, one {@code token} event per new token and a
 * final {@code done} event with all of them. The checkpoint is loaded and the prompt run before
 * the response starts, so a bad request gets a problem response, not a stream that breaks off.
 */
@RestController
public class GenerateController {

    private final GenerationService generation;

    public GenerateController(GenerationService generation) {
        this.generation = generation;
    }

    @PostMapping(path = "/v1/generate", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public Flux<ServerSentEvent<Object>> generate(@RequestHeader(BatonHeaders.TENANT) String tenant,
                                                  @Valid @RequestBody GenerateRequest request) {
        return generation.generate(tenant, request).flatMapMany(started -> {
            List<Long> tokens = new ArrayList<>();
            return started.tokens()
                    .doOnNext(t -> tokens.add(t.token()))
                    .map(t -> ServerSentEvent.<Object>builder(t).event("token").build())
                    .concatWith(Mono.fromSupplier(() -> ServerSentEvent.<Object>builder(new GenerationDone(
                            request.document(), started.fromSegment(), List.copyOf(tokens),
                            tokens.size() < request.maxTokens() ? "stop" : "length")).event("done").build()));
        });
    }
}
