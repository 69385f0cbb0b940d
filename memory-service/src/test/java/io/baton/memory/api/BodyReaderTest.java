package io.baton.memory.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.memory.checkpoints.EmptyBodyException;
import io.baton.memory.checkpoints.PayloadTooLargeException;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** The bounded body read: stops at the limit, releases every buffer, copies into one array. */
class BodyReaderTest {

    private static final int CHUNK = 1000;

    private final NettyDataBufferFactory buffers = new NettyDataBufferFactory(PooledByteBufAllocator.DEFAULT);
    private final List<DataBuffer> emitted = new ArrayList<>();
    private final AtomicInteger requested = new AtomicInteger();
    private final AtomicBoolean cancelled = new AtomicBoolean();

    /** A body of {@code chunks} chunks of {@link #CHUNK} bytes, chunk i filled with i. */
    private Flux<DataBuffer> body(int chunks) {
        return Flux.range(0, chunks)
                .map(i -> {
                    byte[] bytes = new byte[CHUNK];
                    java.util.Arrays.fill(bytes, i.byteValue());
                    DataBuffer buffer = buffers.allocateBuffer(CHUNK).write(bytes);
                    emitted.add(buffer);
                    return buffer;
                })
                .doOnRequest(n -> requested.incrementAndGet())
                .doOnCancel(() -> cancelled.set(true));
    }

    @Test
    void readsAChunkedBodyIntoOneArrayAndReleasesEveryBuffer() {
        MockServerHttpRequest request = MockServerHttpRequest.put("/x").body(body(5));
        StepVerifier.create(new BodyReader(10_000).read(request))
                .assertNext(bytes -> {
                    assertThat(bytes).hasSize(5 * CHUNK);
                    assertThat(bytes[0]).isEqualTo((byte) 0);
                    assertThat(bytes[4 * CHUNK + 7]).isEqualTo((byte) 4);
                })
                .verifyComplete();
        assertThat(emitted).hasSize(5).allSatisfy(buffer -> assertThat(released(buffer)).isTrue());
    }

    @Test
    void stopsReadingAtTheFirstChunkOverTheLimit() {
        MockServerHttpRequest request = MockServerHttpRequest.put("/x").body(body(1_000));
        StepVerifier.create(new BodyReader(3_500).read(request))
                .expectError(PayloadTooLargeException.class)
                .verify();
        // chunk 4 takes it to 4000 > 3500: nothing after it is produced, and it is released too
        assertThat(emitted).hasSize(4).allSatisfy(buffer -> assertThat(released(buffer)).isTrue());
        assertThat(cancelled).isTrue();
    }

    @Test
    void refusesADeclaredLengthOverTheLimitWithoutReading() {
        MockServerHttpRequest request = MockServerHttpRequest.put("/x")
                .header(HttpHeaders.CONTENT_LENGTH, "5000").body(body(5));
        StepVerifier.create(new BodyReader(4_999).read(request))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(PayloadTooLargeException.class)
                        .extracting(t -> ((PayloadTooLargeException) t).limit()).isEqualTo(4_999L))
                .verify();
        assertThat(emitted).isEmpty();
        assertThat(requested).hasValue(0);
    }

    @Test
    void anEmptyBodyIsAnError() {
        StepVerifier.create(new BodyReader(100).read(MockServerHttpRequest.put("/x").body(Flux.empty())))
                .expectError(EmptyBodyException.class).verify();
        StepVerifier.create(new BodyReader(100).read(MockServerHttpRequest.put("/x")
                        .header(HttpHeaders.CONTENT_LENGTH, "0").body(body(1))))
                .expectError(EmptyBodyException.class).verify();
        assertThat(emitted).isEmpty();
    }

    @Test
    void aDeclaredLengthIsReadIntoAnArrayOfThatSize() {
        MockServerHttpRequest request = MockServerHttpRequest.put("/x")
                .header(HttpHeaders.CONTENT_LENGTH, Integer.toString(3 * CHUNK)).body(body(3));
        StepVerifier.create(new BodyReader(3 * CHUNK).read(request))
                .assertNext(bytes -> assertThat(bytes).hasSize(3 * CHUNK))
                .verifyComplete();
    }

    private static boolean released(DataBuffer buffer) {
        return ((org.springframework.core.io.buffer.NettyDataBuffer) buffer).getNativeBuffer().refCnt() == 0;
    }
}
