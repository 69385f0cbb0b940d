package io.baton.protocol.client;

import io.baton.protocol.BatonHeaders;
import io.baton.protocol.deadlines.Deadline;
import io.baton.protocol.deadlines.DeadlineExceededException;
import io.baton.protocol.problems.RequestIds;
import io.micrometer.observation.ObservationRegistry;
import io.netty.channel.ChannelOption;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslManagerBundle;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.http.HttpHeaders;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.client.HttpClient;

/** The {@link WebClient} of a call to another service, as {@link ClientSettings} describe it. */
public final class ServiceWebClients {

    private ServiceWebClients() {
    }

    /**
     * A client of {@code settings.url()}: connecting times out with the call, bodies up to {@code
     * maxBodyBytes} are read, the service token, if any, and the id of the request being served go
     * with every request, and over TLS the SSL bundle, if any, gives the client certificate and the
     * trust material.
     */
    public static WebClient create(WebClient.Builder builder, ClientSettings settings, int maxBodyBytes) {
        HttpClient http = HttpClient.create()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, settings.timeout().toMillis()));
        if (settings.ssl() != null) {
            Http11SslContextSpec tls = tls(settings.ssl());
            http = http.secure(spec -> spec.sslContext(tls));
        }
        return builder.baseUrl(settings.url())
                .clientConnector(new ReactorClientHttpConnector(http))
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(maxBodyBytes))
                .defaultHeaders(headers -> {
                    if (settings.token() != null) {
                        headers.set(HttpHeaders.AUTHORIZATION, settings.token().bearer());
                    }
                })
                .filter(ServiceWebClients::requestId)
                .filter(ServiceWebClients::timeLeft)
                .build();
    }

    /**
     * A builder whose clients observe their calls with the service's registry, when it has one:
     * each call is a client span, child of the request being served, and sends the trace context
     * on ({@code traceparent}), and is timed ({@code http.client.requests}).
     */
    public static WebClient.Builder observed(ObjectProvider<ObservationRegistry> observations) {
        return WebClient.builder().observationRegistry(observations.getIfAvailable(() -> ObservationRegistry.NOOP));
    }

    /** The id of the request being served, when there is one, goes along ({@link RequestIds}). */
    private static Mono<ClientResponse> requestId(ClientRequest request, ExchangeFunction next) {
        return Mono.deferContextual(context -> {
            String id = RequestIds.of(context);
            return next.exchange(id == null || request.headers().containsHeader(BatonHeaders.REQUEST_ID) ? request
                    : ClientRequest.from(request).header(BatonHeaders.REQUEST_ID, id).build());
        });
    }

    /**
     * What is left of the deadline of the request being served, when it has one, goes along
     * ({@link BatonHeaders#TIME_LEFT_MS}); once it has passed, nothing is sent.
     */
    private static Mono<ClientResponse> timeLeft(ClientRequest request, ExchangeFunction next) {
        return Mono.deferContextual(context -> {
            Deadline deadline = Deadline.of(context);
            if (deadline == null) {
                return next.exchange(request);
            }
            if (deadline.passed()) {
                return Mono.error(new DeadlineExceededException("the deadline passed before " + request.method() + " "
                        + request.url().getPath() + " was sent"));
            }
            return next.exchange(ClientRequest.from(request).header(BatonHeaders.TIME_LEFT_MS, deadline.header()).build());
        });
    }

    /**
     * The SSL bundle {@code name} names ({@code spring.ssl.bundle.*}); null when the name is null
     * or blank.
     *
     * @throws org.springframework.boot.ssl.NoSuchSslBundleException when no bundle has that name
     */
    public static SslBundle sslBundle(SslBundles bundles, String name) {
        return name == null || name.isBlank() ? null : bundles.getBundle(name.strip());
    }

    /**
     * A client's TLS from {@code bundle}: its key manager (the client certificate presented when
     * the server asks for one), its trust manager (which servers are believed), its protocols and
     * ciphers. Reactor Netty checks the server's name against its certificate.
     */
    static Http11SslContextSpec tls(SslBundle bundle) {
        SslManagerBundle managers = bundle.getManagers();
        SslOptions options = bundle.getOptions();
        return Http11SslContextSpec.forClient().configure(builder -> {
            builder.keyManager(managers.getKeyManagerFactory()).trustManager(managers.getTrustManagerFactory());
            if (options.getEnabledProtocols() != null) {
                builder.protocols(options.getEnabledProtocols());
            }
            if (options.getCiphers() != null) {
                builder.ciphers(SslOptions.asSet(options.getCiphers()));
            }
        });
    }
}
