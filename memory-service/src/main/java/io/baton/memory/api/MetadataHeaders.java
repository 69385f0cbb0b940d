package io.baton.memory.api;

import static io.baton.protocol.BatonHeaders.CHECKPOINT_DIGEST;
import static io.baton.protocol.BatonHeaders.EXACT;
import static io.baton.protocol.BatonHeaders.MODEL;
import static io.baton.protocol.BatonHeaders.MODEL_DIGEST;
import static io.baton.protocol.BatonHeaders.SEGMENT;
import static io.baton.protocol.BatonHeaders.TOKENS;
import static io.baton.protocol.BatonHeaders.VERSION;

import io.baton.memory.store.Head;
import org.springframework.http.HttpHeaders;

/**
 * The {@code X-Baton-*} response headers that echo a checkpoint's metadata on every head and
 * checkpoint response, so a client can route or check without parsing the body.
 */
final class MetadataHeaders {

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
