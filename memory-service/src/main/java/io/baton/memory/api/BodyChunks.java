package io.baton.memory.api;

import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import reactor.netty.http.server.HttpRequestDecoderSpec;
import reactor.netty.http.server.HttpServer;

/**
 * How the HTTP server hands a request body to the handler. Netty's HTTP decoder cuts a body into
 * pieces of at most {@code maxChunkSize} bytes, 8 KiB by default: a 668 KB checkpoint arrived as
 * 82 pieces, each one a signal through Reactor Netty, Spring's body Flux and the tracing context
 * restored around it ({@code bench/memory-concurrent-puts}; docs/performance.md, "Concurrent
 * checkpoint writes"). Here a piece is whatever one socket read returned (up to 64 KiB): a piece
 * holds only bytes already read, so nothing more is buffered than before, and {@link BodyReader}
 * still stops at the first piece past its limit.
 *
 * <p>Applied last, on top of the decoder settings Spring Boot made from {@code server.*}
 * properties (Reactor Netty's {@code httpRequestDecoder} starts from a fresh spec, so every
 * other setting is copied over unchanged).
 */
@Component
class BodyChunks implements WebServerFactoryCustomizer<NettyReactiveWebServerFactory>, Ordered {

    /** Larger than any socket read, so a read is never cut again. */
    static final int MAX_CHUNK_BYTES = 1024 * 1024;

    @Override
    public void customize(NettyReactiveWebServerFactory factory) {
        factory.addServerCustomizers(BodyChunks::largerChunks);
    }

    static HttpServer largerChunks(HttpServer server) {
        HttpRequestDecoderSpec current = server.configuration().decoder();
        return server.httpRequestDecoder(spec -> spec
                .maxInitialLineLength(current.maxInitialLineLength())
                .maxHeaderSize(current.maxHeaderSize())
                .validateHeaders(current.validateHeaders())
                .initialBufferSize(current.initialBufferSize())
                .allowDuplicateContentLengths(current.allowDuplicateContentLengths())
                .h2cMaxContentLength(current.h2cMaxContentLength())
                .allowPartialChunks(current.allowPartialChunks())
                .maxChunkSize(Math.max(current.maxChunkSize(), MAX_CHUNK_BYTES)));
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
