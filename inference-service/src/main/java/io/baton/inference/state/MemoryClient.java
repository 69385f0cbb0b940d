package io.baton.inference.state;

import reactor.core.publisher.Mono;

/**
 * What inference (and the gateway's documents API) needs of the memory service: read a kept
 * checkpoint, read the head, store the next checkpoint with compare-and-set, delete a document. Over HTTP in distributed mode ({@link HttpMemoryClient});
 * in-process in standalone mode.
 */
public interface MemoryClient {

    /** Checkpoint n's container bytes; empty when the document has no such kept checkpoint. */
    Mono<byte[]> checkpoint(String tenant, String document, long segment);

    /** The document's head; empty when the document has no checkpoint. */
    Mono<StoredHead> head(String tenant, String document);

    /**
     * Stores checkpoint n; succeeds when the head was n-1 or the identical checkpoint n is already
     * stored (a retry). Fails with {@link SegmentOrderException#conflict} when another writer was
     * first, {@link StateMismatchException} when the document holds another model's state, and,
     * when {@code parentDigest} is not null, {@link StaleParentException} when the kept checkpoint
     * n-1 is not the one with that digest.
     */
    Mono<Written> put(String tenant, String document, long segment, byte[] container, String parentDigest);

    /**
     * Deletes the document and all its checkpoints.
     *
     * @return true when it was deleted, false when the tenant had no such document
     */
    Mono<Boolean> delete(String tenant, String document);
}
