package io.baton.memory.api;

import io.baton.memory.store.Head;
import io.baton.protocol.BatonHeaders;
import org.springframework.http.HttpHeaders;

/**
 * The {@code X-Baton-*} response headers that echo a checkpoint's metadata on every head and
 * checkpoint response, so a client can route or check without parsing the body.
 */
final class MetadataHeaders {

    static final String SEGMENT = BatonHeaders.SEGMENT;
    static final String TOKENS = BatonHeaders.TOKENS;
    static final String MODEL = BatonHeaders.MODEL;
    static final String MODEL_DIGEST = BatonHeaders.MODEL_DIGEST;
    static final String VERSION = BatonHeaders.VERSION;
    /** Request header of a put: the digest of the checkpoint n-1 the writer computed n from. */
    static final String PARENT_DIGEST = BatonHeaders.PARENT_DIGEST;
    /** Response header of a put: the digest of the stored checkpoint (hex SHA-256). */
    static final String CHECKPOINT_DIGEST = BatonHeaders.CHECKPOINT_DIGEST;
    /** Response header of a put: whether the checkpoint reads back exactly as written. */
    static final String EXACT = BatonHeaders.EXACT;

    private MetadataHeaders() {
    }

    /** The headers of the document's head. */
    static void head(HttpHeaders headers, Head head) {
        set(headers, head.segment(), head.tokens(), head.model(), head.modelDigest(), head.version());
    }

    /** The headers of a put's answer: the stored checkpoint's digest, and whether it reads back exactly. */
    static void written(HttpHeaders headers, String digest, boolean exact) {
        headers.set(CHECKPOINT_DIGEST, digest);
        headers.set(EXACT, Boolean.toString(exact));
    }

    /** The headers of one checkpoint: its own segment and tokens, the document's version. */
    static void set(HttpHeaders headers, long segment, long tokens, String model, String digest,
            long version) {
        headers.set(SEGMENT, Long.toString(segment));
        headers.set(TOKENS, Long.toString(tokens));
        headers.set(MODEL, model);
        headers.set(MODEL_DIGEST, digest);
        headers.set(VERSION, Long.toString(version));
    }
}
