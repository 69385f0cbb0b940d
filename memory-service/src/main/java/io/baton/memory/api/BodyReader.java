package io.baton.memory.api;

import io.baton.memory.checkpoints.EmptyBodyException;
import io.baton.memory.checkpoints.PayloadTooLargeException;
import java.util.Arrays;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;
import reactor.core.publisher.Mono;

/**
 * Reads a request body into one array, refusing more than a limit. A declared {@code
 * Content-Length} over the limit is refused before a byte is read; otherwise bytes are copied
 * once, straight into an array of the declared length (or a growing one for chunked bodies),
 * and reading stops at the first buffer that passes the limit. Every buffer is released.
 */
final class BodyReader {

    /** The largest array the JVM reliably allocates. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
    private static final int FIRST_CHUNKED_CAPACITY = 64 * 1024;

    private final long limit;

    /** A reader refusing bodies over {@code limit} bytes. */
    BodyReader(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("baton.limits.max-checkpoint-bytes must be positive: " + limit);
        }
        this.limit = Math.min(limit, MAX_ARRAY);
    }

    long limit() {
        return limit;
    }

    /**
     * The whole body.
     *
     * @return the bytes, or an error: {@link EmptyBodyException}, {@link PayloadTooLargeException}
     */
    Mono<byte[]> read(ServerHttpRequest request) {
        long declared = request.getHeaders().getContentLength();
        if (declared > limit) {
            return Mono.error(tooLarge("declared body of " + declared + " bytes"));
        }
        if (declared == 0) {
            return Mono.error(empty());
        }
        return Mono.defer(() -> {
            Accumulator body = new Accumulator(declared);
            return request.getBody()
                    .doOnNext(buffer -> {
                        try {
                            body.append(buffer);
                        } finally {
                            DataBufferUtils.release(buffer);
                        }
                    })
                    .then(Mono.fromSupplier(body::finish));
        });
    }

    private PayloadTooLargeException tooLarge(String what) {
        return new PayloadTooLargeException(what + " exceeds the limit of " + limit
                + " bytes (baton.limits.max-checkpoint-bytes)", limit);
    }

    private static EmptyBodyException empty() {
        return new EmptyBodyException("the checkpoint body is empty; send the state container");
    }

    /** The bytes received so far; one per subscription. */
    private final class Accumulator {

        private byte[] bytes;
        private int size;

        Accumulator(long declared) {
            // HTTP/1.1 framing delivers exactly Content-Length bytes; chunked bodies grow the array
            this.bytes = new byte[declared > 0 ? (int) declared : (int) Math.min(FIRST_CHUNKED_CAPACITY, limit)];
        }

        void append(DataBuffer buffer) {
            int count = buffer.readableByteCount();
            long total = (long) size + count;
            if (total > limit) {
                throw tooLarge("body of more than " + (total - 1) + " bytes");
            }
            if (total > bytes.length) {
                bytes = Arrays.copyOf(bytes, (int) Math.min(Math.max(total, 2L * bytes.length), limit));
            }
            buffer.read(bytes, size, count);
            size += count;
        }

        byte[] finish() {
            if (size == 0) {
                throw empty();
            }
            return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
        }
    }
}
