package io.baton.memory.api;

import io.baton.memory.store.Head;

/**
 * A document's head on the wire ({@code GET .../head}, the answer to a put or fork, and the
 * {@code head} member of a conflict). Fields as in {@link Head}, plus the document id.
 */
public record HeadResponse(String document, long segment, long tokens, String model,
                           String modelDigest, long bytes, long storedBytes, long version,
                           long oldest) {

    /** The head {@code head} of {@code document}. */
    public static HeadResponse of(String document, Head head) {
        return new HeadResponse(document, head.segment(), head.tokens(), head.model(),
                head.modelDigest(), head.bytes(), head.storedBytes(), head.version(), head.oldest());
    }
}
