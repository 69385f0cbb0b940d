package io.baton.protocol.client;

import io.baton.protocol.BatonHeaders;
import io.baton.protocol.problems.RequestIds;
import io.netty.channel.ChannelOption;
import org.springframework.http.HttpHeaders;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/** The {@link WebClient} of a call to another service, as {@link ClientSettings} describe it. */
public final class ServiceWebClients {

    private ServiceWebClients() {
    }

    /**
     * A client of {@code settings.url()}: connecting times out with the call, bodies up to {@code
     * maxBodyBytes} are read, and the service credential, if any, goes with every request, as does
     * the id of the request being served.
     */
    public static WebClient create(WebClient.Builder builder, ClientSettings settings, int maxBodyBytes) {
        HttpClient http = HttpClient.create()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, settings.timeout().toMillis()));
        return builder.baseUrl(settings.url())
                .clientConnector(new ReactorClientHttpConnector(http))
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(maxBodyBytes))
                .defaultHeaders(headers -> {
                    if (settings.token() != null) {
                        headers.set(HttpHeaders.AUTHORIZATION, "Bearer " + settings.token());
                    }
                })
                .filter(ServiceWebClients::requestId)
                .build();
    }

    /** The id of the request being served, when there is one, goes along ({@link RequestIds}). */
    private static Mono<ClientResponse> requestId(ClientRequest request, ExchangeFunction next) {
        return Mono.deferContextual(context -> {
            String id = RequestIds.of(context);
            return next.exchange(id == null || request.headers().containsHeader(BatonHeaders.REQUEST_ID) ? request
                    : ClientRequest.from(request).header(BatonHeaders.REQUEST_ID, id).build());
        });
    }
}
