package io.baton.memory.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import reactor.netty.http.server.HttpRequestDecoderSpec;
import reactor.netty.http.server.HttpServer;

/** The server's body pieces: larger, and every other decoder setting as it was configured. */
class BodyChunksTest {

    @Test
    void raisesOnlyTheChunkSizeAndKeepsWhatTheServerWasGiven() {
        HttpServer configured = HttpServer.create().httpRequestDecoder(spec -> spec
                .maxInitialLineLength(1234)
                .maxHeaderSize(16 * 1024)
                .validateHeaders(false)
                .initialBufferSize(256)
                .allowDuplicateContentLengths(true)
                .h2cMaxContentLength(4096)
                .allowPartialChunks(false));

        HttpRequestDecoderSpec decoder = BodyChunks.largerChunks(configured).configuration().decoder();

        assertThat(decoder.maxChunkSize()).isEqualTo(BodyChunks.MAX_CHUNK_BYTES);
        assertThat(decoder.maxInitialLineLength()).isEqualTo(1234);
        assertThat(decoder.maxHeaderSize()).isEqualTo(16 * 1024);
        assertThat(decoder.validateHeaders()).isFalse();
        assertThat(decoder.initialBufferSize()).isEqualTo(256);
        assertThat(decoder.allowDuplicateContentLengths()).isTrue();
        assertThat(decoder.h2cMaxContentLength()).isEqualTo(4096);
        assertThat(decoder.allowPartialChunks()).isFalse();
    }

    @Test
    void neverLowersALargerChunkSize() {
        HttpServer configured = HttpServer.create().httpRequestDecoder(spec -> spec.maxChunkSize(4 << 20));

        assertThat(BodyChunks.largerChunks(configured).configuration().decoder().maxChunkSize()).isEqualTo(4 << 20);
    }
}
