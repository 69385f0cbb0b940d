package io.baton.memory.store;

/**
 * The outcome of a put: the document's head afterwards, whether this call wrote the checkpoint
 * ({@code created}) or found the identical checkpoint already stored (an idempotent repeat, e.g. a
 * retry after a lost acknowledgement), and the digest of the stored checkpoint, which a later write
 * of n+1 may name as its parent.
 */
public record PutResult(Head head, boolean created, String digest) {
}
